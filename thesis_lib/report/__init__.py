"""What the chapters show, in Spanish: one module per chapter or section, holding its tables,
glued facts, sentences and figures, built from the studies' results and never typed."""
