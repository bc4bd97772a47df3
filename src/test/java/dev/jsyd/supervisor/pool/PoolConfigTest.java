package dev.jsyd.supervisor.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PoolConfigTest {

    @Test
    void defaultsFollowCpuCount() {
        var cfg = PoolConfig.fromEnvironment(Map.of(), 8);
        assertThat(cfg.core()).isEqualTo(8);
        assertThat(cfg.max()).isEqualTo(8 + PoolConfig.DEFAULT_EXTRA);
        assertThat(cfg.keepAlive()).isEqualTo(Duration.ofSeconds(3));
        assertThat(cfg.monitorCycle()).isEqualTo(Duration.ofMillis(250));
        assertThat(PoolConfig.fromEnvironment(Map.of()).core())
                .isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void envOverridesCoreAndMax() {
        assertThat(PoolConfig.fromEnvironment(Map.of("SYD_NPROC", "3"), 8))
                .extracting(PoolConfig::core, PoolConfig::max).containsExactly(3, 35);
        assertThat(PoolConfig.fromEnvironment(Map.of("SYD_NPROC", "3", "SYD_NPROC_MAX", "5"), 8))
                .extracting(PoolConfig::core, PoolConfig::max).containsExactly(3, 5);
        assertThat(PoolConfig.fromEnvironment(Map.of("SYD_NPROC_MAX", "20"), 8))
                .extracting(PoolConfig::core, PoolConfig::max).containsExactly(8, 20);
        assertThat(PoolConfig.fromEnvironment(Map.of("SYD_NPROC", "007"), 8).core()).isEqualTo(7);
    }

    @Test
    void maxBelowCpuCountLowersDefaultCore() {
        assertThat(PoolConfig.fromEnvironment(Map.of("SYD_NPROC_MAX", "2"), 8))
                .extracting(PoolConfig::core, PoolConfig::max).containsExactly(2, 2);
    }

    @Test
    void maxBelowExplicitCoreIsAnError() {
        assertThatThrownBy(() -> PoolConfig.fromEnvironment(Map.of("SYD_NPROC", "4", "SYD_NPROC_MAX", "2"), 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SYD_NPROC_MAX (2) must not be less than SYD_NPROC (4)");
    }

    @Test
    void defaultMaxIsCapped() {
        assertThat(PoolConfig.fromEnvironment(Map.of("SYD_NPROC", "65530"), 8).max())
                .isEqualTo(PoolConfig.MAX_WORKERS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "", " 4", "4 ", "-1", "+4", "0", "000", "1.5", "0x10", "٣"})
    void rejectsMalformedNproc(String value) {
        assertThatThrownBy(() -> PoolConfig.fromEnvironment(Map.of("SYD_NPROC", value), 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SYD_NPROC must be a positive integer, got '" + value + "'");
        assertThatThrownBy(() -> PoolConfig.fromEnvironment(Map.of("SYD_NPROC_MAX", value), 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SYD_NPROC_MAX must be a positive integer, got '" + value + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"65536", "99999999999999999999"})
    void rejectsHugeNproc(String value) {
        assertThatThrownBy(() -> PoolConfig.fromEnvironment(Map.of("SYD_NPROC", value), 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SYD_NPROC must be at most 65535, got '" + value + "'");
    }

    @Test
    void constructorValidates() {
        assertThatThrownBy(() -> PoolConfig.of(0, 1)).hasMessageContaining("core must be at least 1");
        assertThatThrownBy(() -> PoolConfig.of(4, 3)).hasMessageContaining("max must be between core (4)");
        assertThatThrownBy(() -> PoolConfig.of(1, 2).withKeepAlive(Duration.ZERO))
                .hasMessageContaining("keepAlive");
        assertThatThrownBy(() -> PoolConfig.of(1, 2).withMonitorCycle(Duration.ofMillis(-1)))
                .hasMessageContaining("monitorCycle");
    }
}
