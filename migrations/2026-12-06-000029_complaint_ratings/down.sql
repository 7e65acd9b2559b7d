DROP TABLE complaint_ratings;
