package dev.jsyd.supervisor;

import dev.jsyd.abi.Errno;
import dev.jsyd.kernel.Relaxations;
import dev.jsyd.kernel.Request;
import dev.jsyd.kernel.ResolveException;
import dev.jsyd.kernel.SandboxContext;
import dev.jsyd.kernel.SyscallTable;
import dev.jsyd.supervisor.pool.ClosedException;
import dev.jsyd.supervisor.pool.WorkSource;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.NotifyFd;

/**
 * One worker's view of the listener: wait, receive, dispatch through the syscall table,
 * answer. Fails closed: a handler that throws, or a syscall without a handler, is answered
 * with an error, never let through.
 */
final class NotificationSource implements WorkSource<Request>, AutoCloseable {
    private final Request request;
    private final Interrupter interrupter;
    private final dev.jsyd.kernel.ChdirWatch chdirWatch;
    /** Learning mode only: the calls the learning filter sent instead of refusing them; else null. */
    private final Relaxations relaxations;

    NotificationSource(NotifyFd listener, SandboxContext context, Interrupter interrupter, Relaxations relaxations) {
        this.request = new Request(listener, context);
        this.relaxations = relaxations;
        this.chdirWatch = context.chdirWatch();
        this.interrupter = interrupter;
        interrupter.register(request);
    }

    @Override
    public Wait await(long timeoutMillis) {
        return switch (request.await((int) Math.min(Integer.MAX_VALUE, timeoutMillis))) {
            case READY -> Wait.READY;
            case TIMEOUT -> Wait.TIMEOUT;
            case HANGUP -> Wait.CLOSED;
        };
    }

    @Override
    public Request receive() throws ClosedException {
        int r = request.receive();
        if (r == 0) return request;
        if (r == -Errno.ENOENT) {
            // The program went away between wake-up and receive, or nothing filtered is left.
            if (request.await(0) == NotifyFd.Wait.HANGUP) throw new ClosedException("sandbox empty");
            return null;
        }
        if (r == -Errno.EINTR) return null;
        throw new ClosedException("seccomp notify receive failed: " + Errno.name(-r));
    }

    @Override
    public void handle(Request r) {
        SyscallTable.Handled h = SyscallTable.handled(r.notification.nr);
        try {
            if (relaxations != null && relaxations.answer(r)) return;
            if (h == null) {
                r.fail(Errno.ENOSYS);
                return;
            }
            r.borrowIdentity(); // everything from here on runs with the program's rights
            if (chdirWatch.hasPending() && chdirWatch.verify(r)) {
                r.fail(Errno.EACCES); // the process raced a chdir into a denied directory and was killed
                return;
            }
            h.handler().handle(r);
        } catch (ResolveException ex) {
            if (!r.answered()) r.fail(ex.errno());
        } catch (ErrnoException ex) {
            if (!r.answered()) r.fail(ex.errno());
        } catch (RuntimeException | Error ex) {
            if (!r.answered()) r.fail(Errno.EACCES);
            throw ex;
        } finally {
            if (!r.answered()) r.fail(Errno.EACCES);
        }
    }

    @Override
    public void close() {
        interrupter.unregister(request);
        request.close();
    }
}
