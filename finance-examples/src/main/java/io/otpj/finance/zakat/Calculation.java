package io.otpj.finance.zakat;

import io.otpj.finance.money.Money;
import java.time.Instant;

/**
 * One zakat calculation, as the calculators keep it in their history.
 *
 * @param wealth the wealth assessed
 * @param nisab the threshold
 * @param zakat the zakat due
 * @param at when it was calculated
 */
public record Calculation(Money wealth, Money nisab, Money zakat, Instant at) {}
