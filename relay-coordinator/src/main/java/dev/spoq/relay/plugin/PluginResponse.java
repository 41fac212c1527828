package dev.spoq.relay.plugin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * frps server plugin answer. Allow is exactly {@code {"reject": false, "unchange": true}} (without
 * {@code unchange: true} frps would replace the request content with our empty one); reject is
 * {@code {"reject": true, "reject_reason": "..."}}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record PluginResponse(
    boolean reject, @JsonProperty("reject_reason") String rejectReason, Boolean unchange) {

  static final PluginResponse ALLOW = new PluginResponse(false, null, true);

  static PluginResponse reject(String reason) {
    return new PluginResponse(true, reason, null);
  }
}
