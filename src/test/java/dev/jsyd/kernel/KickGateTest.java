package dev.jsyd.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class KickGateTest {

    @Test
    void aKickIsSentOnlyWhileTheSectionIsOpen() {
        AtomicInteger taken = new AtomicInteger();
        KickGate g = new KickGate(taken::incrementAndGet);
        AtomicInteger sent = new AtomicInteger();
        assertThat(g.kickIf(() -> true, sent::incrementAndGet)).isFalse();
        g.open();
        assertThat(g.kickIf(() -> false, sent::incrementAndGet)).as("another notification's section").isFalse();
        assertThat(g.kickIf(() -> true, sent::incrementAndGet)).isTrue();
        assertThat(g.kickIf(() -> true, sent::incrementAndGet)).as("kicked again each cycle until it leaves").isTrue();
        g.close();
        assertThat(taken.get()).as("a sent kick is taken before close returns").isEqualTo(1);
        assertThat(g.kickIf(() -> true, sent::incrementAndGet)).isFalse();
        assertThat(sent.get()).isEqualTo(2);
        g.open();
        g.close();
        assertThat(taken.get()).as("no kick, no extra system call").isEqualTo(1);
    }

    @Test
    void closeWaitsForAKickBeingSentAndTakesIt() throws Exception {
        AtomicInteger taken = new AtomicInteger();
        KickGate g = new KickGate(taken::incrementAndGet);
        g.open();
        CountDownLatch sending = new CountDownLatch(1), release = new CountDownLatch(1);
        Thread interrupter = Thread.ofPlatform().start(() -> g.kickIf(() -> true, () -> {
            sending.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertThat(sending.await(10, TimeUnit.SECONDS)).isTrue();
        AtomicBoolean closed = new AtomicBoolean();
        Thread worker = Thread.ofPlatform().start(() -> {
            g.close();
            closed.set(true);
        });
        worker.join(300);
        assertThat(closed.get()).as("close returned while the kick was still being sent").isFalse();
        release.countDown();
        worker.join(10_000);
        interrupter.join(10_000);
        assertThat(closed.get()).isTrue();
        assertThat(taken.get()).isEqualTo(1);
    }

    /** Many races of close against kicks: no kick is ever sent after close has returned. */
    @Test
    void noKickIsSentAfterCloseReturned() throws Exception {
        for (int round = 0; round < 2_000; round++) {
            KickGate g = new KickGate(() -> { });
            AtomicBoolean closedFlag = new AtomicBoolean();
            AtomicInteger late = new AtomicInteger();
            g.open();
            Thread kicker = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 50; i++) g.kickIf(() -> true, () -> { if (closedFlag.get()) late.incrementAndGet(); });
            });
            g.close();
            closedFlag.set(true);
            kicker.join();
            assertThat(late.get()).as("round %d", round).isZero();
        }
    }
}
