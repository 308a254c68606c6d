"""The schema as studybot first created it: migration 1's tables (later ones change them).

`{pk}` and `{bigint}` (and `{float}`) stand for the types that differ between
SQLite and PostgreSQL; `bot.store.migrations` fills them in.
"""

from __future__ import annotations

__all__ = ["BASE_SCHEMA"]

BASE_SCHEMA: tuple[str, ...] = (
    """CREATE TABLE groups (
        id {pk},
        platform TEXT NOT NULL,
        workspace_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        settings TEXT NOT NULL,
        created_at {bigint} NOT NULL,
        UNIQUE (platform, workspace_id, channel_id)
    )""",
    """CREATE TABLE members (
        id {pk},
        platform TEXT NOT NULL,
        user_id TEXT NOT NULL,
        display_name TEXT NOT NULL,
        UNIQUE (platform, user_id)
    )""",
    """CREATE TABLE rounds (
        id {pk},
        group_id {bigint} NOT NULL REFERENCES groups (id),
        local_date TEXT NOT NULL,
        question_id TEXT NOT NULL,
        status TEXT NOT NULL,
        scheduled_for {bigint} NOT NULL,
        reveal_at {bigint},
        posted_at {bigint},
        revealed_at {bigint},
        reveal_seq INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        message_id TEXT,
        thread_id TEXT,
        reveal_message_id TEXT,
        UNIQUE (group_id, local_date)
    )""",
    "CREATE INDEX rounds_by_thread ON rounds (group_id, thread_id)",
    "CREATE INDEX rounds_by_status ON rounds (status, group_id)",
    "CREATE UNIQUE INDEX rounds_reveal_seq ON rounds (group_id, reveal_seq)",
    """CREATE TABLE answers (
        id {pk},
        round_id {bigint} NOT NULL REFERENCES rounds (id),
        member_id {bigint} NOT NULL REFERENCES members (id),
        text TEXT NOT NULL,
        source TEXT NOT NULL,
        message_id TEXT,
        submitted_at {bigint} NOT NULL,
        edited_at {bigint},
        late INTEGER NOT NULL,
        coverage {float},
        covered TEXT,
        points INTEGER,
        UNIQUE (round_id, member_id)
    )""",
    "CREATE INDEX answers_by_member ON answers (member_id, round_id)",
    """CREATE TABLE member_stats (
        group_id {bigint} NOT NULL REFERENCES groups (id),
        member_id {bigint} NOT NULL REFERENCES members (id),
        streak INTEGER NOT NULL,
        best_streak INTEGER NOT NULL,
        last_seq INTEGER NOT NULL,
        rounds_answered INTEGER NOT NULL,
        coverage_sum {float} NOT NULL,
        PRIMARY KEY (group_id, member_id)
    )""",
    """CREATE TABLE score_totals (
        group_id {bigint} NOT NULL REFERENCES groups (id),
        period TEXT NOT NULL,
        member_id {bigint} NOT NULL REFERENCES members (id),
        points INTEGER NOT NULL,
        achieved_at {bigint} NOT NULL,
        PRIMARY KEY (group_id, period, member_id)
    )""",
    """CREATE INDEX score_totals_rank
        ON score_totals (group_id, period, points DESC, achieved_at, member_id)""",
    """CREATE TABLE practice_attempts (
        id {pk},
        member_id {bigint} NOT NULL REFERENCES members (id),
        group_id {bigint},
        question_id TEXT NOT NULL,
        started_at {bigint} NOT NULL,
        hinted INTEGER NOT NULL DEFAULT 0,
        revealed INTEGER NOT NULL DEFAULT 0,
        answered_at {bigint},
        coverage {float}
    )""",
    "CREATE INDEX practice_by_member ON practice_attempts (member_id, started_at)",
    """CREATE TABLE practice_reviews (
        member_id {bigint} NOT NULL REFERENCES members (id),
        question_id TEXT NOT NULL,
        box INTEGER NOT NULL,
        due_at {bigint} NOT NULL,
        attempts INTEGER NOT NULL,
        best_coverage {float} NOT NULL,
        PRIMARY KEY (member_id, question_id)
    )""",
)
