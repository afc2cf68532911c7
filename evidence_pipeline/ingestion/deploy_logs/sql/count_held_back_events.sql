SELECT count(*) FROM held_back_events
