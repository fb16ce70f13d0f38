-- Settlement journals to the ERP (pipeline: workflows/settlement_posting.sql; tables: 0011, 0019).
--
--   o2c_action.settlement_posting_plan   a round (started by the schedule settlement_posting, daily
--                                         by default): one settlement_posting workflow per
--                                         settlement not yet posted, business key
--                                         settlement:<channel>:<settlement id> (o2c.start is
--                                         idempotent on it, so a settlement is posted by one
--                                         workflow whatever the number of rounds)
--   o2c_action.settlement_next_journal   the settlement checked (mapping, total); the next journal
--                                         not yet posted laid out for the ERP, or `posted` when none
--                                         is left. Unmapped lines and lines that miss the deposit
--                                         stop here as finance exceptions, the difference to the
--                                         cent in the message; o2c.settlement_redrive and
--                                         o2c.settlement_post_variance re-drive them.
--   o2c_action.settlement_journal_posted  the journal remembered as posted, with the ERP's id.
--   o2c_action.settlement_journal_refused the ERP refused the journal's date or lines: a finance
--                                         exception with the ERP's words.
--
-- The ERP's external id of a journal is o2c.settlement_journal.external_id with every character
-- NetSuite does not allow in an external id (anything but letters, digits, _ and -) made '_':
-- STL-amazon-1001-2026-11, STL-adyen-NordtrailEU_4711-2026-12.

create or replace function o2c.settlement_erp_external_id(p_external_id text)
returns text
language sql
immutable
set search_path = o2c, pg_temp
as $$ select regexp_replace(p_external_id, '[^A-Za-z0-9_-]', '_', 'g') $$;

-- A round: starts the posting of every settlement not yet posted (at most params.limit, default
-- 1000, oldest first; the next round takes the rest) with the posting workflow params.workflow
-- (default settlement_posting: NetSuite; settlement_posting_sage200 posts through Sage 200's cash
-- book). Answers ok, patch {"settlements": n}.
create or replace function o2c_action.settlement_posting_plan(p_context jsonb, p_params jsonb)
returns jsonb
language sql
stable
set search_path = o2c, pg_temp
as $$
    select jsonb_build_object(
        'outcome', 'ok',
        'patch', jsonb_build_object('settlements', count(*)),
        'start', coalesce(jsonb_agg(jsonb_build_object(
            'workflow', coalesce(p_params->>'workflow', 'settlement_posting'),
            'business_key', 'settlement:' || s.channel || ':' || s.settlement_id,
            'input', jsonb_build_object('channel', s.channel, 'settlement_id', s.settlement_id))), '[]'))
    from (select s.channel, s.settlement_id
            from o2c.settlement s
           where s.status <> 'posted'
             and not exists (select from o2c.instance i
                              where i.workflow = coalesce(p_params->>'workflow', 'settlement_posting')
                                and i.business_key = 'settlement:' || s.channel || ':' || s.settlement_id)
           order by s.imported_at, s.channel, s.settlement_id
           limit coalesce((p_params->>'limit')::int, 1000)) s
$$;

-- The settlement's next journal for the ERP. Context: channel, settlement_id. Params:
-- erp_connection (default netsuite). Outcomes:
--   ok      patch {"journal": {"external_id", "tran_date", "subsidiary_id", "currency_id", "memo",
--           "lines": [{"account_id", "debit"|"credit" (decimal text), "memo"}]}}, the first journal
--           (by period) not yet posted; subsidiary_id only for NetSuite
--   posted  every journal is posted; the settlement's status becomes 'posted'
--   failed  unknown_settlement_line, inconsistent_settlement (finance, with the difference);
--           unmapped_value (a GL account without o2c.gl_account_map row, naming the insert),
--           unmapped_currency (finance)
create or replace function o2c_action.settlement_next_journal(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_erp     text := coalesce(p_params->>'erp_connection', 'netsuite');
    v_channel text := p_context->>'channel';
    v_id      text := p_context->>'settlement_id';
    v_s       o2c.settlement;
    v_status  text;
    v_j       o2c.settlement_journal;
    v_missing text;
    v_digits  int;
    v_currency_id text;
    v_subsidiary text;
    v_lines   jsonb;
begin
    select * into v_s from o2c.settlement s where s.channel = v_channel and s.settlement_id = v_id;
    if not found then
        return o2c.sql_action_failed('bad_input', null, null,
            format('no %s settlement %s in o2c.settlement', coalesce(v_channel, '?'), coalesce(v_id, '?')));
    end if;
    v_status := v_s.status;
    if v_status in ('imported', 'unmapped', 'inconsistent') then
        v_status := o2c.settlement_check(v_channel, v_id);
    end if;
    if v_status in ('unmapped', 'inconsistent') then
        select s.problem into v_s.problem from o2c.settlement s where s.channel = v_channel and s.settlement_id = v_id;
        return o2c.sql_action_failed(split_part(v_s.problem, ':', 1), null, 'finance', format(
            '%s settlement %s: %s. Fix it, then select o2c.settlement_redrive(%L, %L)%s.',
            v_channel, v_id, substr(v_s.problem, strpos(v_s.problem, ':') + 2), v_channel, v_id,
            case when v_status = 'inconsistent'
                 then format(', or name the variance: select o2c.settlement_post_variance(%L, %L, null, ''<your name>'')',
                             v_channel, v_id) else '' end));
    end if;

    select * into v_j from o2c.settlement_journal j
     where j.channel = v_channel and j.settlement_id = v_id and j.posted_at is null
     order by j.period limit 1;
    if not found then
        update o2c.settlement s set status = 'posted', problem = null
         where s.channel = v_channel and s.settlement_id = v_id and s.status <> 'posted';
        return jsonb_build_object('outcome', 'posted');
    end if;

    select string_agg(distinct l.gl_account, ', ' order by l.gl_account) into v_missing
      from o2c.settlement_journal_line l
     where l.external_id = v_j.external_id
       and not exists (select from o2c.gl_account_map m where m.erp_connection = v_erp and m.account = l.gl_account);
    if v_missing is not null then
        return o2c.sql_action_failed('unmapped_value', null, 'finance', format(
            'GL account %s of journal %s has no %s account in o2c.gl_account_map: insert into o2c.gl_account_map '
            '(erp_connection, account, erp_account_id) values (%L, %L, ''<%s account id>''); then select o2c.settlement_redrive(%L, %L).',
            v_missing, v_j.external_id, v_erp, v_erp, split_part(v_missing, ', ', 1), v_erp, v_channel, v_id));
    end if;
    select c.erp_currency_id, c.minor_digits into v_currency_id, v_digits
      from o2c.currency_map c where c.erp_connection = v_erp and c.currency = v_j.currency;
    if v_currency_id is null then
        return o2c.sql_action_failed('unmapped_currency', null, null, format(
            'currency %s of journal %s has no %s currency in o2c.currency_map', v_j.currency, v_j.external_id, v_erp));
    end if;
    select e.value into v_subsidiary from o2c.erp_setting e where e.erp_connection = v_erp and e.name = 'subsidiary_id';
    if v_subsidiary is null and o2c.connection_system(v_erp) = 'netsuite' then
        return o2c.sql_action_failed('unmapped_value', null, null, format(
            'no subsidiary_id in o2c.erp_setting for %s: journals belong to one', v_erp));
    end if;
    if exists (select from o2c.settlement_journal_line l
                where l.external_id = v_j.external_id and (l.debit <> round(l.debit, v_digits) or l.credit <> round(l.credit, v_digits))) then
        return o2c.sql_action_failed('remote_data', null, 'finance', format(
            'journal %s has amounts with more decimals than %s has (%s): the settlement file''s amounts cannot be posted as they are',
            v_j.external_id, v_j.currency, v_digits));
    end if;

    select jsonb_agg(jsonb_build_object('account_id', m.erp_account_id,
                                        case when l.debit > 0 then 'debit' else 'credit' end,
                                        round(greatest(l.debit, l.credit), v_digits)::text,
                                        'memo', l.category || case when l.memo <> l.category then ': ' || l.memo else '' end)
                     order by l.line_no)
      into v_lines
      from o2c.settlement_journal_line l
      join o2c.gl_account_map m on m.erp_connection = v_erp and m.account = l.gl_account
     where l.external_id = v_j.external_id;

    return jsonb_build_object('outcome', 'ok', 'patch', jsonb_build_object('journal', jsonb_build_object(
        'external_id', o2c.settlement_erp_external_id(v_j.external_id),
        'tran_date', to_char(v_j.posting_date, 'YYYY-MM-DD'),
        'subsidiary_id', v_subsidiary,
        'currency_id', v_currency_id,
        'memo', format('%s settlement %s, %s', v_channel, v_id, v_j.period),
        'lines', v_lines)));
end
$$;

-- The journal in context.journal is posted: its ERP id (context.journal_erp_id) remembered. A
-- journal posted already keeps its first id.
create or replace function o2c_action.settlement_journal_posted(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
begin
    update o2c.settlement_journal j set erp_id = p_context->>'journal_erp_id', posted_at = now()
     where j.channel = p_context->>'channel' and j.settlement_id = p_context->>'settlement_id'
       and o2c.settlement_erp_external_id(j.external_id) = p_context#>>'{journal,external_id}'
       and j.posted_at is null;
    return jsonb_build_object('outcome', 'ok', 'patch', jsonb_build_object('journal', null));
end
$$;

-- The ERP refused the journal in context.journal (context.refusal: its words): failed
-- remote_rejected, owned by finance, naming what to do.
create or replace function o2c_action.settlement_journal_refused(p_context jsonb, p_params jsonb)
returns jsonb
language sql
stable
set search_path = o2c, pg_temp
as $$
    select o2c.sql_action_failed('remote_rejected', null, 'finance', format(
        'NetSuite refused journal %s of %s settlement %s: %s. Reopen the accounting period or fix the account in '
        'NetSuite or o2c.gl_account_map, then select o2c.settlement_redrive(%L, %L).',
        p_context#>>'{journal,external_id}', p_context->>'channel', p_context->>'settlement_id',
        coalesce(p_context->>'refusal', 'no reason given'), p_context->>'channel', p_context->>'settlement_id'))
$$;

revoke all on function o2c_action.settlement_posting_plan(jsonb, jsonb) from public;
revoke all on function o2c_action.settlement_next_journal(jsonb, jsonb) from public;
revoke all on function o2c_action.settlement_journal_posted(jsonb, jsonb) from public;
revoke all on function o2c_action.settlement_journal_refused(jsonb, jsonb) from public;
