package dev.isthmus.proxy.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Turns a host name from the config into an address, once, at load time; the data path never resolves names.
 * An interface so that tests can load configs naming hosts without a DNS server.
 */
@FunctionalInterface
public interface HostResolver {

    /** The JVM's resolver (files, then DNS); it blocks, which is fine on the main thread while loading. */
    HostResolver SYSTEM = InetAddress::getByName;

    /**
     * @param hostName a syntactically valid host name (never an address literal)
     * @return the first address the name resolves to
     * @throws UnknownHostException when the name does not resolve
     */
    InetAddress resolve(String hostName) throws UnknownHostException;
}
