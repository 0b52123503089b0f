/**
 * Micrometer metrics of an otpj node: {@link io.otpj.micrometer.OtpjMetrics}.
 */
package io.otpj.micrometer;
