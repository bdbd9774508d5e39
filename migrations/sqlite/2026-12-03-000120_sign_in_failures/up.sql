-- Failed sign-ins counted per account and client address, so that a stranger elsewhere
-- cannot lock an account out by guessing at it.
CREATE TABLE sign_in_failures (
    user_id TEXT NOT NULL REFERENCES users (id),
    client TEXT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, client)
);
