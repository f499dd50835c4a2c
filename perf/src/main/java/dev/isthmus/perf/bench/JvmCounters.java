package dev.isthmus.perf.bench;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;

/**
 * The heap-allocation and GC counters of another JVM (the isthmus proxy), read over the JDK's own attach API and
 * JMX: {@code ThreadMXBean.getTotalThreadAllocatedBytes} and every collector's {@code CollectionCount}.
 * Used from the bench's main thread.
 */
public final class JvmCounters implements AutoCloseable {

    /** One reading of the counters. */
    public record Reading(long allocatedBytes, long gcCycles) {
    }

    private static final String THREADING = "java.lang:type=Threading";
    private static final String COLLECTORS = "java.lang:type=GarbageCollector,*";

    private final JMXConnector connector;
    private final MBeanServerConnection server;

    private JvmCounters(JMXConnector connector) throws IOException {
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
    }

    /** Attaches to the JVM with process id {@code pid} and starts its local management agent. */
    public static JvmCounters attach(long pid) throws IOException {
        try {
            VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
            try {
                String address = vm.startLocalManagementAgent();
                return new JvmCounters(JMXConnectorFactory.connect(new JMXServiceURL(address)));
            } finally {
                vm.detach();
            }
        } catch (AttachNotSupportedException e) {
            throw new IOException("cannot attach to JVM " + pid + ": " + e.getMessage(), e);
        }
    }

    public Reading read() throws IOException {
        try {
            long allocated = (Long) server.getAttribute(new ObjectName(THREADING), "TotalThreadAllocatedBytes");
            long cycles = 0;
            for (ObjectName collector : server.queryNames(new ObjectName(COLLECTORS), null)) {
                cycles += (Long) server.getAttribute(collector, "CollectionCount");
            }
            return new Reading(allocated, cycles);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("reading JVM counters: " + e, e);
        }
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
