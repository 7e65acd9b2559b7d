-- The complainant's rating of how a complaint was handled (回访), once the reply is sent: once
-- per complaint, never changed. A dissatisfied rating puts the complaint before the province's
-- supervisors; ratings are counted in the monthly statistics.
CREATE TABLE complaint_ratings (
    complaint_id uuid PRIMARY KEY REFERENCES complaints (id),
    province_code text NOT NULL,
    rating text NOT NULL CHECK (rating IN ('satisfied', 'basically_satisfied', 'dissatisfied')),
    comment text CHECK (char_length(comment) <= 1000),
    rated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX complaint_ratings_by_province ON complaint_ratings (province_code, rating, rated_at);
