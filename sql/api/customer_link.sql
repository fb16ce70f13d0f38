-- The shopper ↔ ERP customer links of order_to_cash (o2c.customer_link, migration 0013).
--
--   sql.linked_customer        the ERP customer already linked to the order's shopper: found
--                              (patch customer_id); new when the ERP's customer directory was
--                              imported and is fresh (param directory_fresh_for, default 1 hour:
--                              the shopper is not in the ERP, create the customer at once); else
--                              not_found (find or create it in the ERP)
--   sql.record_customer_directory
--                              one round of the customer directory import (workflows/
--                              customer_directory.sql, migration 0020) remembered
--   sql.link_customer          remember the customer just found or created (params via: 'find' or
--                              'create'); a newer link replaces an older one
--   sql.forget_customer_link   the ERP refused the linked customer (merged or deleted there): the
--                              link goes, customer_id leaves the context, the order finds again
--   sql.duplicate_customer_not_found
--                              the ERP called a new customer a duplicate, yet no customer with the
--                              email is found: an exception for ops, naming both
-- The shopper is the order's normalised email (context customer_email, set by map); all take the
-- param erp_connection (default 'netsuite').

create or replace function o2c.normalised_email(p_email text)
returns text
language sql
immutable
as $$
    select nullif(lower(btrim(p_email)), '')
$$;

create or replace function o2c_action.linked_customer(p_context jsonb, p_params jsonb)
returns jsonb
language sql
stable
set search_path = o2c, pg_temp
as $$
    select coalesce(
        (select jsonb_build_object('outcome', 'found', 'patch', jsonb_build_object(
                    'customer_id', l.erp_customer_id, 'customer_linked', true))
           from o2c.customer_link l
          where l.erp_connection = coalesce(p_params->>'erp_connection', 'netsuite')
            and l.email = o2c.normalised_email(p_context->>'customer_email')),
        (select jsonb_build_object('outcome', 'new', 'patch', jsonb_build_object('customer_linked', false))
           from o2c.customer_directory d
          where d.erp_connection = coalesce(p_params->>'erp_connection', 'netsuite')
            and d.complete_at >= now() - coalesce(p_params->>'directory_fresh_for', '1 hour')::interval),
        jsonb_build_object('outcome', 'not_found', 'patch', jsonb_build_object('customer_linked', false)))
$$;

-- One round of netsuite.read_customers (context customers [{id, email}], after_id, complete)
-- into the links: a shopper's email already linked keeps its link (found or made by an order, or
-- an earlier round); of two ERP customers with one email the older (lower id) is the one. The
-- round's rows leave the context. Ok, the next round at once while the ERP has more, else after
-- context poll_interval_ms (default 15 minutes). Params: erp_connection.
create or replace function o2c_action.record_customer_directory(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
set search_path = o2c, pg_temp
as $$
declare
    v_erp      text := coalesce(p_params->>'erp_connection', 'netsuite');
    v_complete boolean := coalesce((p_context->>'complete')::boolean, false);
    v_read     bigint;
begin
    if jsonb_typeof(p_context->'customers') is distinct from 'array' then
        return o2c.sql_action_failed('workflow_error', null, null,
            'record_customer_directory needs context customers, the rows netsuite.read_customers read');
    end if;
    with row_read as (
        select distinct on (o2c.normalised_email(c->>'email')) o2c.normalised_email(c->>'email') as email, c->>'id' as id
          from jsonb_array_elements(p_context->'customers') c
         where o2c.normalised_email(c->>'email') is not null and coalesce(c->>'id', '') <> ''
         order by o2c.normalised_email(c->>'email'), (c->>'id')::numeric
    )
    insert into o2c.customer_link (erp_connection, email, erp_customer_id, linked_by)
    select v_erp, email, id, 'import' from row_read
    on conflict (erp_connection, email) do nothing;
    v_read := jsonb_array_length(p_context->'customers');
    insert into o2c.customer_directory as d (erp_connection, after_id, complete_at, customers_read)
    values (v_erp, p_context->>'after_id', case when v_complete then now() end, v_read)
    on conflict (erp_connection) do update
       set after_id = coalesce(excluded.after_id, d.after_id),
           complete_at = coalesce(excluded.complete_at, d.complete_at),
           customers_read = d.customers_read + excluded.customers_read,
           updated_at = now();
    return jsonb_build_object('outcome', 'ok', 'patch', jsonb_build_object('customers', null),
        'delay_ms', case when v_complete then coalesce((p_context->>'poll_interval_ms')::bigint, 900000) else 0 end);
end
$$;

create or replace function o2c_action.link_customer(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
set search_path = o2c, pg_temp
as $$
declare
    v_email text := o2c.normalised_email(p_context->>'customer_email');
    v_id    text := p_context->>'customer_id';
begin
    if v_email is null or coalesce(v_id, '') = '' then
        return o2c.sql_action_failed('workflow_error', null, null,
            format('link_customer needs context customer_email and customer_id (got %s and %s)',
                   coalesce(v_email, 'none'), coalesce(v_id, 'none')));
    end if;
    insert into o2c.customer_link (erp_connection, email, erp_customer_id, storefront_connection, customer_ref, linked_by)
    values (coalesce(p_params->>'erp_connection', 'netsuite'), v_email, v_id,
            coalesce(p_params->>'storefront_connection', p_context->>'source'),
            p_context->>'customer_ref', coalesce(p_params->>'via', 'find'))
    on conflict (erp_connection, email) do update
       set erp_customer_id = excluded.erp_customer_id, storefront_connection = excluded.storefront_connection,
           customer_ref = excluded.customer_ref, linked_by = excluded.linked_by, linked_at = now();
    return jsonb_build_object('outcome', 'ok', 'patch', jsonb_build_object('customer_linked', true));
end
$$;

create or replace function o2c_action.forget_customer_link(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
set search_path = o2c, pg_temp
as $$
begin
    -- Refused again right after finding it anew: finding once more would only loop. Ops decides.
    if p_context->>'stale_customer_id' = p_context->>'customer_id' then
        return o2c.sql_action_failed('remote_rejected', null, 'ops', format(
            'NetSuite refuses customer %s for sales order %s again after it was found anew by email %s (%s). '
            'Make the customer usable (active, in the subsidiary) or merge it, then re-drive this order.',
            p_context->>'customer_id', coalesce(p_context->>'sales_order_external_id', '?'),
            coalesce(p_context->>'customer_email', '?'), coalesce(p_context->>'refusal', 'no words given')));
    end if;
    delete from o2c.customer_link
     where erp_connection = coalesce(p_params->>'erp_connection', 'netsuite')
       and (email = o2c.normalised_email(p_context->>'customer_email')
            or erp_customer_id = p_context->>'customer_id');
    return jsonb_build_object('outcome', 'ok', 'patch', jsonb_build_object(
        'customer_id', null, 'customer_linked', false,
        'stale_customer_id', p_context->>'customer_id'));
end
$$;

create or replace function o2c_action.duplicate_customer_not_found(p_context jsonb, p_params jsonb)
returns jsonb
language plpgsql
stable
set search_path = o2c, pg_temp
as $$
begin
    return o2c.sql_action_failed('remote_rejected', null, 'ops', format(
        'The ERP refused to create customer %s as a duplicate of an existing record, but no customer '
        'with email %s is found there. Give that customer the email %s (or merge the two), then '
        're-drive this order.',
        coalesce(p_context->>'customer_external_id', '?'), coalesce(p_context->>'customer_email', '?'),
        coalesce(p_context->>'customer_email', '?')));
end
$$;
