"""Durable background work: the database row is the job; a queue message only rings the bell."""
