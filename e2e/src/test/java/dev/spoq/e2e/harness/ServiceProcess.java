package dev.spoq.e2e.harness;

import dev.spoq.e2e.RepoPaths;
import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.process.ManagedProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One control-plane service run from its real {@code *-exec.jar} inside a namespace. */
public final class ServiceProcess implements AutoCloseable {

  private final String module;
  private final String instance;
  private final int port;
  private final NetworkNamespace ns;
  private final ManagedProcess process;

  private ServiceProcess(
      String module, String instance, int port, NetworkNamespace ns, ManagedProcess process) {
    this.module = module;
    this.instance = instance;
    this.port = port;
    this.ns = ns;
    this.process = process;
  }

  public static ServiceProcess start(
      NetworkNamespace ns, String module, int port, Map<String, String> env, Path logDir) {
    return start(ns, module, module, port, env, logDir);
  }

  /**
   * @param instance the name of this copy (e.g. {@code device-registry-a} for one of two replicas);
   *     its log is {@code <instance>.log}, appended to across restarts
   */
  public static ServiceProcess start(
      NetworkNamespace ns,
      String module,
      String instance,
      int port,
      Map<String, String> env,
      Path logDir) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Java.bin(),
                // Two shared cores: start fast, stay small.
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xss512k",
                "-Xmx320m",
                "-jar",
                Jars.snapshot(module, logDir.getParent()).toString()));
    ManagedProcess p = ns.start(instance, cmd, logDir.resolve(instance + ".log"), env);
    return new ServiceProcess(module, instance, port, ns, p);
  }

  /**
   * Waits until the service is ready, asked from inside the namespace with the container image's
   * own health check ({@code deploy/docker/healthcheck.sh}: actuator readiness must be UP).
   */
  public ServiceProcess awaitHealthy(Duration timeout) {
    Wait.until(
        module + " healthy",
        timeout,
        () -> {
          if (!process.isAlive()) {
            throw new Wait.Abort(module + " exited:\n" + tail(process.output()));
          }
          return ns.tryExec(
                  "env",
                  "SERVER_PORT=" + port,
                  "bash",
                  RepoPaths.root().resolve("deploy/docker/healthcheck.sh").toString())
              .ok();
        });
    return this;
  }

  public String module() {
    return module;
  }

  public String instance() {
    return instance;
  }

  /** SIGKILL, like a machine or container dying: no shutdown hook, no goodbye to anyone. */
  public void kill9() {
    ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
    Wait.until("pid " + process.pid() + " gone", Duration.ofSeconds(10), () -> !process.isAlive());
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public String output() {
    return process.output();
  }

  static String tail(String text) {
    return text.length() <= 6000 ? text : text.substring(text.length() - 6000);
  }

  @Override
  public void close() {
    process.close();
  }
}
