package dev.spoq.jump.upstream;

import dev.spoq.jump.audit.AuditTrail;
import dev.spoq.jump.auth.RegistryLookups;
import java.util.concurrent.ExecutorService;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.command.CommandFactory;
import org.apache.sshd.server.shell.ShellFactory;
import org.apache.sshd.server.subsystem.SubsystemFactory;

/** Shell, exec and the {@code sftp} subsystem of {@code ssh alice@router}, all bridged. */
public class DirectLoginFactory implements ShellFactory, CommandFactory, SubsystemFactory {

  private final UpstreamConnector connector;
  private final RegistryLookups lookups;
  private final AuditTrail audit;
  private final ExecutorService pumps;

  public DirectLoginFactory(
      UpstreamConnector connector,
      RegistryLookups lookups,
      AuditTrail audit,
      ExecutorService pumps) {
    this.connector = connector;
    this.lookups = lookups;
    this.audit = audit;
    this.pumps = pumps;
  }

  @Override
  public Command createShell(ChannelSession channel) {
    return new BridgeCommand(BridgeCommand.Kind.SHELL, null, connector, lookups, audit, pumps);
  }

  @Override
  public Command createCommand(ChannelSession channel, String command) {
    return new BridgeCommand(BridgeCommand.Kind.EXEC, command, connector, lookups, audit, pumps);
  }

  /** The subsystem name this factory answers to. */
  @Override
  public String getName() {
    return "sftp";
  }

  @Override
  public Command createSubsystem(ChannelSession channel) {
    return new BridgeCommand(
        BridgeCommand.Kind.SUBSYSTEM, "sftp", connector, lookups, audit, pumps);
  }
}
