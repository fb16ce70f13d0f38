-- make demo: wait (at most 2 s) until runner a holds a live lease, so that killing it right after
-- kills it mid-step. Between two batches a runner holds none.
do $$
begin
    for i in 1..200 loop
        exit when exists (select from o2c.step where leased_by = 'a' and leased_until > clock_timestamp());
        perform pg_sleep(0.01);
    end loop;
end
$$;
