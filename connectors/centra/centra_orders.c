/* The GraphQL document the order poller sends: one page of orders in updatedAt order with exactly
 * the fields the order-to-cash mapping reads. Kept apart from the action so the selection can be
 * read (and diffed against Centra's schema) on its own. */
#include "connectors/centra/centra.h"

/* Money: MonetaryValue.value is a JSON number written from Centra's decimal text ("457.00").
 * json-c keeps the text of every number it parses and writes it back unchanged, so the order
 * reaches the child workflow's context (jsonb numeric) digit for digit; nothing here converts
 * it to a double. Line prices come both as Centra shows them (including tax, its default) and
 * excluding tax (aliases, since one response key may not carry two different arguments), so the
 * mapping never has to recompute tax. Refunds are the order's paymentHistory entries of type
 * REFUND (Centra's Integration API has no refund object of its own; the guide reads captures the
 * same way): the poller starts refund_to_credit_memo for each, or return_to_credit_memo for one
 * whose paramsJSON names the return it pays back ({"returnId": N}; the order's returns give its
 * lines and shippingCost). */
/* When even one order's answer is too large to read: just where it is, to pass it by. */
const char *const centra_poll_order_keys_document =
    "query PollOrderKeys($first: Int!, $after: String, $where: OrderFilter) {\n"
    "  orderConnection(first: $first, after: $after, where: $where, sort: [updatedAt_ASC]) {\n"
    "    pageInfo { hasNextPage endCursor }\n"
    "    edges { cursor node { number updatedAt } }\n"
    "  }\n"
    "}\n";

const char *const centra_poll_orders_document =
    "query PollOrders($first: Int!, $after: String, $where: OrderFilter) {\n"
    "  orderConnection(first: $first, after: $after, where: $where, sort: [updatedAt_ASC]) {\n"
    "    pageInfo { hasNextPage endCursor }\n"
    "    edges {\n"
    "      cursor\n"
    "      node {\n"
    "        id number status storeId storeType createdAt updatedAt\n"
    "        currency { code }\n"
    "        grandTotal { value currency { code } }\n"
    "        totals {\n"
    "          itemsTotal { value } discount { value } shipping { value }\n"
    "          taxAdded { value } taxIncluded { value } grandTotal { value }\n"
    "        }\n"
    "        discountsApplied { name code value { value } }\n"
    "        paymentMethod { id name uri plugin }\n"
    "        customer { id email firstName lastName }\n"
    "        billingAddress { ...PollAddress }\n"
    "        shippingAddress { ...PollAddress }\n"
    "        lines {\n"
    "          id productNumber productName size\n"
    "          productVariant { id name }\n"
    "          productSize { SKU sizeName }\n"
    "          quantity cancelledQuantity returnedQuantity\n"
    "          unitOriginalPrice { value }\n"
    "          unitPrice { value }\n"
    "          unitPriceExTax: unitPrice(includingTax: false) { value }\n"
    "          discountPercent taxPercent\n"
    "          lineValue { value }\n"
    "          lineValueExTax: lineValue(includingTax: false) { value }\n"
    "        }\n"
    "        paymentHistory(where: {entryType: [REFUND]}) {\n"
    "          id entryType status createdAt value { value currency { code } } paramsJSON\n"
    "        }\n"
    "        returns { id number createdAt shippingCost { value } lines { orderLineId quantity } }\n"
    "      }\n"
    "    }\n"
    "  }\n"
    "}\n"
    "fragment PollAddress on Address {\n"
    "  firstName lastName address1 address2 city zipCode stateOrProvince country { code } email phoneNumber\n"
    "}\n";
