-- ARGV: P, number, resolution, now
unclosed_ticket(ARGV[2])
return change(ARGV[2], {'status', 'closed', 'resolution', ARGV[3], 'closed_at', ARGV[4],
  'updated_at', ARGV[4]})
