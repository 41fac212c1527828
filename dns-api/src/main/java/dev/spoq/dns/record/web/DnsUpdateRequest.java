package dev.spoq.dns.record.web;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Body of {@code POST /api/dns/update}.
 *
 * @param subdomain the Jetson's label ({@code alice}) or full name ({@code alice.spoq.dev})
 * @param ip the address to publish; when absent, the caller's address
 * @param path {@code direct} (default: the home address) or {@code relay} (the address of the relay
 *     the Jetson's session runs through while its direct path is down; contract C5)
 */
record DnsUpdateRequest(
    @NotBlank
        @Size(max = 253)
        @Pattern(
            regexp = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9-]{1,63})*\\.?",
            message = "must be a DNS label such as alice")
        String subdomain,
    @Size(min = 2, max = 45, message = "must be an IPv4 or IPv6 address") String ip,
    @Pattern(regexp = "direct|relay", message = "must be direct or relay") String path) {}
