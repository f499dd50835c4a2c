package dev.isthmus.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.proxy.config.HostPort.PortRule;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPortTest {

    private static final HostResolver NO_DNS = name -> {
        if (name.equals("backend.test")) {
            return InetAddress.getByAddress(name, new byte[] {10, 0, 0, 7});
        }
        throw new UnknownHostException(name);
    };

    @Test
    void parsesIpv4() throws Exception {
        HostPort hp = HostPort.parse("127.0.0.1:8080", PortRule.REQUIRE_PORT, NO_DNS);
        assertEquals("127.0.0.1", hp.host());
        assertEquals(8080, hp.port());
        assertEquals(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), hp.address());
        assertEquals("127.0.0.1:8080", hp.toString());
    }

    @Test
    void parsesBracketedIpv6() {
        HostPort hp = HostPort.parse("[::1]:9000", PortRule.REQUIRE_PORT, NO_DNS);
        assertEquals("::1", hp.host());
        assertTrue(hp.address().isLoopbackAddress());
        assertEquals("[::1]:9000", hp.toString());
    }

    @Test
    void resolvesHostNamesThroughTheResolver() {
        HostPort hp = HostPort.parse("backend.test:80", PortRule.REQUIRE_PORT, NO_DNS);
        assertEquals("backend.test", hp.host());
        assertEquals("10.0.0.7", hp.address().getHostAddress());
    }

    @Test
    void wildcardIsRecognised() {
        assertTrue(HostPort.parse("0.0.0.0:80", PortRule.REQUIRE_PORT, NO_DNS).isWildcard());
        assertTrue(HostPort.parse("[::]:80", PortRule.REQUIRE_PORT, NO_DNS).isWildcard());
    }

    @Test
    void portZeroOnlyWhereAllowed() {
        assertEquals(0, HostPort.parse("127.0.0.1:0", PortRule.ALLOW_ANY_PORT, NO_DNS).port());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HostPort.parse("127.0.0.1:0", PortRule.REQUIRE_PORT, NO_DNS));
        assertEquals("bad address '127.0.0.1:0': port must be a number from 1 to 65535", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1:80, 127.0.0.1:80, true",
        "127.0.0.1:80, 127.0.0.1:81, false",
        "127.0.0.1:80, 127.0.0.2:80, false",
        "0.0.0.0:80, 127.0.0.1:80, true",
        "127.0.0.1:80, 0.0.0.0:80, true",
        "0.0.0.0:80, [::1]:80, false",
        "[::]:80, 127.0.0.1:80, true",
        "[::]:80, [::1]:80, true",
        "127.0.0.1:0, 127.0.0.1:0, false",
    })
    void overlapsWhenOneBindWouldTakeTheOthersTraffic(String a, String b, boolean overlap) {
        HostPort first = HostPort.parse(a, PortRule.ALLOW_ANY_PORT, NO_DNS);
        HostPort second = HostPort.parse(b, PortRule.ALLOW_ANY_PORT, NO_DNS);
        assertEquals(overlap, first.overlaps(second));
        assertEquals(overlap, second.overlaps(first));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1|bad address '127.0.0.1': expected HOST:PORT",
        "127.0.0.1:|bad address '127.0.0.1:': port must be a number from 1 to 65535",
        "127.0.0.1:65536|bad address '127.0.0.1:65536': port must be a number from 1 to 65535",
        "127.0.0.1:http|bad address '127.0.0.1:http': port must be a number from 1 to 65535",
        ":80|bad address ':80': missing host",
        "1.2.3:80|bad address '1.2.3:80': an IPv4 address has four numbers from 0 to 255, as in 127.0.0.1",
        "1.2.3.256:80|bad address '1.2.3.256:80': an IPv4 address has four numbers from 0 to 255, as in 127.0.0.1",
        "010.0.0.1:80|bad address '010.0.0.1:80': an IPv4 address has four numbers from 0 to 255, as in 127.0.0.1",
        "::1:80|bad address '::1:80': an IPv6 address needs brackets, as in [::1]:8080",
        "[::1]|bad address '[::1]': expected [IPv6]:PORT",
        "[::g]:80|bad address '[::g]:80': not an IPv6 address",
        "[1:2:3:4:5:6:7:8:9]:80|bad address '[1:2:3:4:5:6:7:8:9]:80': not an IPv6 address",
        "bad_host:80|bad address 'bad_host:80': not an IPv4 address, [IPv6] address or host name",
        "-x.test:80|bad address '-x.test:80': not an IPv4 address, [IPv6] address or host name",
        "nowhere.test:80|cannot resolve host 'nowhere.test'",
    })
    void rejectsBadAddressesWithAReason(String text, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HostPort.parse(text, PortRule.REQUIRE_PORT, NO_DNS));
        assertEquals(reason, e.getMessage());
    }
}
