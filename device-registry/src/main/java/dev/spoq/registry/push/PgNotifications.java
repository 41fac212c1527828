package dev.spoq.registry.push;

import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * PostgreSQL LISTEN/NOTIFY between registry replicas: one dedicated connection per replica (outside
 * the pool) listens on every channel that has a subscriber, and hands each notification to the
 * subscribers on a small worker pool. A change is announced with {@link #notify(JdbcClient, String,
 * String)} inside its transaction, so it is delivered only on commit.
 *
 * <p>When the listening connection breaks, it is re-opened after {@link
 * PushProperties#listenerRetry()}, and every subscriber is called with a {@code null} payload
 * ("anything may have changed"), since notifications sent meanwhile are lost.
 */
@Component
public class PgNotifications implements SmartLifecycle {

  public static final String REVOCATIONS = "spoq_revocation";
  public static final String PEERS = "spoq_peers";

  private static final Logger log = LoggerFactory.getLogger(PgNotifications.class);

  private final Environment environment;
  private final PushProperties properties;
  private final Map<String, List<Consumer<String>>> subscribers = new ConcurrentHashMap<>();
  private final Map<String, List<Consumer<String>>> caches = new ConcurrentHashMap<>();
  private final ExecutorService workers =
      Executors.newFixedThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "pg-notify-worker");
            t.setDaemon(true);
            return t;
          });
  private final AtomicLong received = new AtomicLong();
  private volatile boolean running;
  private volatile boolean connected;
  private volatile Thread listener;
  private volatile Connection connection;

  PgNotifications(Environment environment, PushProperties properties, MeterRegistry meters) {
    this.environment = environment;
    this.properties = properties;
    meters.gauge("spoq.push.listener.connected", this, n -> n.connected ? 1 : 0);
    meters.more().counter("spoq.push.notifications.received", List.of(), received);
  }

  /**
   * Announces a change on {@code channel} in the caller's transaction: every replica hears it when
   * the transaction commits, and this replica's cache subscribers ({@link #subscribeCache}) are
   * told synchronously right after the commit, so the very next request here sees the change.
   */
  public void announce(JdbcClient jdbc, String channel, String payload) {
    jdbc.sql("SELECT pg_notify(?, ?)").params(channel, payload).query(Object.class).list();
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(
          new TransactionSynchronization() {
            @Override
            public void afterCommit() {
              for (Consumer<String> cache : caches.getOrDefault(channel, List.of())) {
                safely(cache, payload);
              }
            }
          });
    }
  }

  /**
   * Like {@link #subscribe}, for cache invalidation: called on the listener thread before the other
   * subscribers are scheduled, and on the committing thread for this replica's own changes.
   */
  public void subscribeCache(String channel, Consumer<String> invalidate) {
    caches.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(invalidate);
    subscribers.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>());
  }

  /** Calls {@code onPayload} for each notification on {@code channel} (null: resynchronise). */
  public void subscribe(String channel, Consumer<String> onPayload) {
    subscribers.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(onPayload);
  }

  /**
   * Whether this replica currently listens (notifications from other replicas arrive). Caches may
   * be trusted only while it does.
   */
  public boolean connected() {
    return connected;
  }

  @Override
  public void start() {
    running = true;
    Thread t = new Thread(this::listen, "pg-listen");
    t.setDaemon(true);
    listener = t;
    t.start();
  }

  @Override
  public void stop() {
    running = false;
    Thread t = listener;
    if (t != null) {
      t.interrupt();
    }
    closeQuietly(connection);
    workers.shutdownNow();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  private void listen() {
    boolean first = true;
    while (running) {
      try (Connection c = open()) {
        connection = c;
        try (Statement st = c.createStatement()) {
          for (String channel : subscribers.keySet()) {
            st.execute("LISTEN " + channel);
          }
        }
        connected = true;
        if (!first) {
          log.info("LISTEN connection re-established; subscribers resynchronise");
          dispatchAll(null);
        }
        first = false;
        PGConnection pg = c.unwrap(PGConnection.class);
        while (running) {
          PGNotification[] batch = pg.getNotifications(1000);
          if (batch == null) {
            continue;
          }
          for (PGNotification n : batch) {
            received.incrementAndGet();
            dispatch(n.getName(), n.getParameter());
          }
        }
      } catch (SQLException e) {
        if (running) {
          log.warn("LISTEN connection failed: {}", e.getMessage());
        }
      } finally {
        connected = false;
        connection = null;
      }
      if (running) {
        first = false;
        try {
          Thread.sleep(properties.listenerRetry().toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private Connection open() throws SQLException {
    return DriverManager.getConnection(
        environment.getRequiredProperty("spring.datasource.url"),
        environment.getProperty("spring.datasource.username"),
        environment.getProperty("spring.datasource.password"));
  }

  private void dispatchAll(String payload) {
    subscribers.keySet().forEach(channel -> dispatch(channel, payload));
  }

  private void dispatch(String channel, String payload) {
    for (Consumer<String> cache : caches.getOrDefault(channel, List.of())) {
      safely(cache, payload);
    }
    List<Consumer<String>> list = subscribers.getOrDefault(channel, List.of());
    for (Consumer<String> subscriber : list) {
      try {
        workers.execute(() -> safely(subscriber, payload));
      } catch (RuntimeException rejected) {
        log.debug("notification dropped during shutdown");
      }
    }
  }

  private static void safely(Consumer<String> subscriber, String payload) {
    try {
      subscriber.accept(payload);
    } catch (RuntimeException e) {
      log.warn("notification subscriber failed", e);
    }
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // closing a broken connection
      }
    }
  }
}
