/** otpj core: processes, mailboxes, links, monitors, timers and GenServer. */
package io.otpj.core;
