package dev.spoq.agent.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** One client device of this Jetson as the registry lists it. */
public record Peer(
    @JsonProperty("name") String name,
    @JsonProperty("public_key") String publicKey,
    @JsonProperty("allowed_ips") List<String> allowedIps) {}
