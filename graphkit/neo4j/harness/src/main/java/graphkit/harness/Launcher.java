package graphkit.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;
import org.neo4j.io.ByteUnit;

/**
 * A Neo4j Community server with one Bolt connector on 127.0.0.1, for graphkit's tests.
 *
 * <p>Usage: {@code java graphkit.harness.Launcher PORT WORKDIR}. Authentication is off unless the
 * environment variable {@code GRAPHKIT_NEO4J_PASSWORD} is set (never on the command line): then it
 * is on and the user {@code neo4j} has that password. Prints {@code GRAPHKIT-NEO4J-READY
 * bolt://127.0.0.1:PORT/ auth=...} once the server has started; stops on SIGTERM/SIGINT or when
 * stdin closes (so it does not outlive a parent that was killed).
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: graphkit.harness.Launcher PORT WORKDIR");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        Path workdir = Path.of(args[1]);
        String password = System.getenv("GRAPHKIT_NEO4J_PASSWORD");
        boolean auth = password != null && !password.isEmpty();

        Thread stdinWatch = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // input is ignored: only its end matters
                }
            } catch (Exception ignored) {
                // a broken stdin counts as closed
            }
            System.exit(0); // runs the shutdown hook, if the server got that far
        }, "graphkit-neo4j-stdin");
        stdinWatch.setDaemon(true);
        stdinWatch.start();

        Neo4j neo4j;
        try {
            neo4j = Neo4jBuilders.newInProcessBuilder(workdir)
                    .withDisabledServer() // no HTTP or HTTPS connector
                    .withConfig(BoltConnector.enabled, true)
                    .withConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                    .withConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                    .withConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                    .withConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(64))
                    .withConfig(GraphDatabaseSettings.udc_enabled, false)
                    .withConfig(GraphDatabaseSettings.auth_enabled, auth)
                    // Netty's default 2 s quiet period per event loop made a stop take over 10 s.
                    .withConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                    .withConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(2))
                    .withConfig(GraphDatabaseSettings.shutdown_transaction_end_timeout, Duration.ofSeconds(2))
                    .build();
        } catch (Throwable e) {
            e.printStackTrace();
            Runtime.getRuntime().halt(1); // the server's own threads would keep the JVM alive
            return;
        }
        if (auth) {
            // The embedded API needs no login; Community allows ALTER USER on the system database.
            try {
                neo4j.databaseManagementService().database("system").executeTransactionally(
                        "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
            } catch (Throwable e) {
                e.printStackTrace();
                neo4j.close();
                Runtime.getRuntime().halt(1);
                return;
            }
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            neo4j.close();
            stopped.countDown();
        }, "graphkit-neo4j-shutdown"));

        System.out.println("GRAPHKIT-NEO4J-READY " + neo4j.boltURI() + " auth=" + auth);
        System.out.flush();
        stopped.await();
    }
}
