-- The finance examples' schema. Portable: runs unchanged on PostgreSQL and on H2 in
-- PostgreSQL mode (MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE), so it uses only standard types,
-- CHECK and FOREIGN KEY constraints, and no vendor functions.
--
-- Money is NUMERIC(19, 4) plus an ISO-4217 code: four fraction digits hold every currency's
-- minor units exactly (CLF has 4; most have 2; JPY 0), fifteen integer digits bound the amounts.

CREATE TABLE campaigns (
    id             VARCHAR(64)              NOT NULL,
    name           VARCHAR(200)             NOT NULL,
    goal_amount    NUMERIC(19, 4)           NOT NULL,
    currency       CHAR(3)                  NOT NULL,
    -- The running total and count of PROCESSED donations, updated in the same transaction as
    -- each donation, so they always equal the sum over the donations table.
    raised_amount  NUMERIC(19, 4)           NOT NULL,
    donation_count BIGINT                   NOT NULL,
    status         VARCHAR(16)              NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT campaigns_pk PRIMARY KEY (id),
    CONSTRAINT campaigns_goal_positive CHECK (goal_amount > 0),
    CONSTRAINT campaigns_raised_not_negative CHECK (raised_amount >= 0),
    CONSTRAINT campaigns_count_not_negative CHECK (donation_count >= 0),
    CONSTRAINT campaigns_status_known CHECK (status IN ('ACTIVE', 'PAUSED', 'COMPLETED', 'CANCELLED'))
);

CREATE TABLE donations (
    id             VARCHAR(64)              NOT NULL,
    campaign_id    VARCHAR(64)              NOT NULL,
    donor_id       VARCHAR(64)              NOT NULL,
    amount         NUMERIC(19, 4)           NOT NULL,
    currency       CHAR(3)                  NOT NULL,
    status         VARCHAR(16)              NOT NULL,
    failure_reason VARCHAR(200),
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    processed_at   TIMESTAMP WITH TIME ZONE,
    CONSTRAINT donations_pk PRIMARY KEY (id),
    CONSTRAINT donations_campaign_fk FOREIGN KEY (campaign_id) REFERENCES campaigns (id),
    CONSTRAINT donations_amount_positive CHECK (amount > 0),
    CONSTRAINT donations_status_known CHECK (status IN ('PENDING', 'PROCESSED', 'FAILED'))
);

-- Reload of pending donations, per-campaign sums, the indexer's scan.
CREATE INDEX donations_campaign_status ON donations (campaign_id, status);

CREATE TABLE transactions (
    id                     VARCHAR(64)              NOT NULL,
    reference              VARCHAR(64)              NOT NULL,
    amount                 NUMERIC(19, 4)           NOT NULL,
    currency               CHAR(3)                  NOT NULL,
    status                 VARCHAR(16)              NOT NULL,
    gateway_transaction_id VARCHAR(64),
    created_at             TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT transactions_pk PRIMARY KEY (id),
    CONSTRAINT transactions_amount_positive CHECK (amount > 0),
    CONSTRAINT transactions_status_known CHECK (status IN ('APPROVED', 'DECLINED'))
);

CREATE INDEX transactions_reference ON transactions (reference);

-- Milestones (25, 50, 75, 100 % of the goal) already announced: the primary key makes each
-- alert happen once, across monitor restarts.
CREATE TABLE campaign_milestones (
    campaign_id VARCHAR(64)              NOT NULL,
    percent     INTEGER                  NOT NULL,
    raised      NUMERIC(19, 4)           NOT NULL,
    reached_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT campaign_milestones_pk PRIMARY KEY (campaign_id, percent),
    CONSTRAINT campaign_milestones_campaign_fk FOREIGN KEY (campaign_id) REFERENCES campaigns (id),
    CONSTRAINT campaign_milestones_percent_known CHECK (percent IN (25, 50, 75, 100))
);
