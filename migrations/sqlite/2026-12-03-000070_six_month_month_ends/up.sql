-- Six months beginning with the day received end, where the sixth month on has no
-- corresponding date, on that month's last day (corresponding-date rule, Dodds v Walker).
-- Earlier versions clamped to the month's last day and then took a day off, a day early
-- for complaints received on the 29th, 30th or 31st. Correct the dates they stored; a date
-- moved by an agreed extension does not match the old value and is left as it is.
UPDATE cases
SET six_month_letter_due_on = date(received_on, 'start of month', '+7 months', '-1 day')
WHERE kind = 'complaint'
  AND six_month_letter_due_on IS NOT NULL
  AND CAST(strftime('%d', received_on) AS INTEGER) >
      CAST(strftime('%d', date(received_on, 'start of month', '+7 months', '-1 day')) AS INTEGER)
  AND six_month_letter_due_on = date(received_on, 'start of month', '+7 months', '-2 days');
