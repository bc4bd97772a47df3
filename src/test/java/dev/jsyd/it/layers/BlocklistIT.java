package dev.jsyd.it.layers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The IP blocklist ({@code block+CIDR}, {@code default/block}) holds whether {@code net/connect} is on or not. */
class BlocklistIT {
    static final String PY = "import socket\n"
            + "for fam, addr in ((socket.AF_INET, '127.0.0.1'), (socket.AF_INET6, '::1')):\n"
            + "  s = socket.socket(fam, socket.SOCK_DGRAM)\n"
            + "  try: s.connect((addr, 9)); print('ok')\n"
            + "  except OSError as e: print(e.errno)\n";

    @Test
    void blockedAddressesAreRefusedWithEveryNetworkCategoryOff() throws Exception {
        var r = Syd.run("-poff", "-p", "nopie", "--", "python3", "-c", PY);
        assertThat(r.out()).as("without a blocklist").isEqualTo("ok\nok\n");
        r = Syd.run("-poff", "-m", "block+127.0.0.0/8", "-p", "nopie", "--", "python3", "-c", PY);
        assertThat(r.out()).as(r.toString()).isEqualTo("13\nok\n");
        assertThat(r.err()).contains("\"cap\":\"block\"", "block-127.0.0.0/8");
        r = Syd.run("-poff", "-m", "block+::1/128", "-m", "default/block:filter", "-p", "nopie", "--", "python3", "-c", PY);
        assertThat(r.out()).as("default/block:filter").isEqualTo("ok\n13\n");
        assertThat(r.err()).doesNotContain("\"cap\":\"block\"");
        r = Syd.run(List.of("-poff", "-m", "block+127.0.0.0/8", "-m", "block-127.0.0.0/8", "-p", "nopie", "--", "python3", "-c", PY).toArray(String[]::new));
        assertThat(r.out()).as("block- removes the entry").isEqualTo("ok\nok\n");
    }
}
