/**
 * Model-based (stateful) property testing of servers on jqwik: a {@link io.otpj.test.model.ServerModel}
 * says what a server must do; {@link io.otpj.test.model.ServerProperties} generates command
 * sequences (with crashes, and in parallel), runs them against the real server in a fresh node,
 * and reports a shrunk failing sequence as Java. Needs {@code net.jqwik:jqwik} on the test class
 * path.
 */
package io.otpj.test.model;
