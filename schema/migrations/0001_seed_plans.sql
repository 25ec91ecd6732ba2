-- Seed the request-quota plans (null = unlimited). Keys may override these numbers.
INSERT INTO `plans` (`id`, `requests_per_5h`, `requests_per_week`, `requests_per_minute`, `max_concurrent`) VALUES
  ('free', 40, 200, NULL, NULL),
  ('pro', 400, 2000, NULL, NULL),
  ('max5x', 1200, 6000, NULL, NULL),
  ('max20x', 3000, 15000, NULL, NULL),
  ('unlimited', NULL, NULL, NULL, NULL)
ON CONFLICT (`id`) DO NOTHING;
