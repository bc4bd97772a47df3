package dev.jsyd.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void allProfilesLoad() throws Exception {
        for (String name : Policy.profileNames()) {
            Policy p = Policy.defaults().environment(k -> k.equals("HOME") ? "/home/u" : null)
                    .userProfileFiles(java.util.List.of());
            p.applyProfile(name, Origin.argument(1));
            assertThat(p.snapshot()).isNotNull();
        }
    }
}
