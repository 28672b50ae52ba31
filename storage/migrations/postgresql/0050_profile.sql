-- Optional, self-declared facts for the reports' breakdowns (sex and the priority groups the
-- plans name). NULL means "not said"; nothing here is asked twice or required.
ALTER TABLE users ADD COLUMN sex TEXT CHECK (sex IN ('nam', 'nu'));
-- Lives in a rural commune / village (nông thôn).
ALTER TABLE users ADD COLUMN rural BIGINT CHECK (rural IN (0, 1));
-- Poor or near-poor household (hộ nghèo, cận nghèo).
ALTER TABLE users ADD COLUMN poor BIGINT CHECK (poor IN (0, 1));
-- Lives alone (sống một mình).
ALTER TABLE users ADD COLUMN alone BIGINT CHECK (alone IN (0, 1));
-- Has a disability (khuyết tật).
ALTER TABLE users ADD COLUMN disabled BIGINT CHECK (disabled IN (0, 1));
