package dev.jsyd.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class AddressTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0.0.0.0/0!0|0.0.0.0/0!0",
        "1.2.3.4/32!65535|1.2.3.4!65535",
        "1.2.3.4/0|0.0.0.0/0",
        "::/0!0-65535|::/0!0-65535",
        "::1/128!1|::1!1",
        "fe80::1/10|fe80::/10",
        "2001:db8:0:0:0:0:2:1|2001:db8::2:1",
        "2001:db8::1:0:0:1|2001:db8::1:0:0:1",
        "2001:0:0:1:0:0:0:1|2001:0:0:1::1",
        "::ffff:192.0.2.1!80|::ffff:192.0.2.1!80",
        "1::|1::",
        "any4!0|any4!0",
        "@foo|@foo",
        "/run/*.sock|/run/*.sock",
    })
    void normalises(String in, String out) {
        assertThat(Address.parse(in).text()).isEqualTo(out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3.4!", "1.2.3.4!65536", "1.2.3.4!-1", "1.2.3.4!5-", "1.2.3.4!-5", "1.2.3.4!9-8",
        "1.2.3.4!x", "1.2.3.4/33", "1.2.3.4/", "1.2.3.4/-1", "::1/129", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.04x",
        "::1::", "1:2:3:4:5:6:7:8:9", "12345::", "localhost", "", "loopback/8", "/a[b", "1.2.3.4!1-2-3"})
    void rejects(String in) {
        assertThatThrownBy(() -> Address.parse(in)).isInstanceOf(Address.AddressException.class);
    }

    @Test
    void portsEdges() {
        assertThat(Address.parsePorts("0", 0)).isEqualTo(new Address.PortRange(0, 0));
        assertThat(Address.parsePorts("65535", 0)).isEqualTo(new Address.PortRange(65535, 65535));
        assertThat(Address.parsePorts("0-65535", 0)).isEqualTo(Address.PortRange.ALL);
        assertThat(Address.parsePorts("80-80", 0).text()).isEqualTo("80");
    }

    @Test
    void cidrContainment() {
        var c = Address.parseCidr("10.0.0.0/9", 0);
        assertThat(c.contains(Address.parseIp("10.127.255.255"))).isTrue();
        assertThat(c.contains(Address.parseIp("10.128.0.0"))).isFalse();
        assertThat(c.contains(Address.parseIp("::ffff:10.0.0.1"))).as("families differ").isFalse();
        var all6 = Address.parseCidr("::/0", 0);
        assertThat(all6.contains(Address.parseIp("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))).isTrue();
        assertThat(all6.contains(Address.parseIp("1.2.3.4"))).isFalse();
        assertThat(Address.parseCidr("1.2.3.4/32", 0)).isEqualTo(Address.parseCidr("1.2.3.4", 0));
        assertThat(Address.parseCidr("1.2.3.4/24", 0)).isEqualTo(Address.parseCidr("1.2.3.0/24", 0));
    }

    @Test
    void noNameLookups() {
        assertThat(Address.parseIp("example.com")).isNull();
        assertThat(Address.parseIp("127.1")).isNull();
    }
}
