using System;
using System.Collections.Generic;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace D365CustomerSync.Client
{
    // The shapes of the API: docs/openapi.json, components.schemas. OpenApiContractTests checks
    // every [JsonProperty] name and its Required against the document.

    /// <summary>The body of <c>POST /customers</c> (schema <c>CustomerRequest</c>).</summary>
    public sealed class CustomerRequest
    {
        /// <summary>The customer, in the source article's spellings.</summary>
        [JsonProperty("Customer", Required = Required.Always)]
        public CustomerDetails Customer { get; set; }
    }

    /// <summary>The customer (schema <c>CustomerRequest.Customer</c>).</summary>
    public sealed class CustomerDetails
    {
        /// <summary>D365 legal entity (company), at most 4 characters, e.g. <c>USRT</c>.</summary>
        [JsonProperty("LegalEntity", Required = Required.Always)]
        public string LegalEntity { get; set; }

        /// <summary>At most 25 characters.</summary>
        [JsonProperty("FirstName", Required = Required.Always)]
        public string FirstName { get; set; }

        /// <summary>Optional.</summary>
        [JsonProperty("MiddleName", NullValueHandling = NullValueHandling.Ignore)]
        public string MiddleName { get; set; }

        /// <summary>Optional.</summary>
        [JsonProperty("LastName", NullValueHandling = NullValueHandling.Ignore)]
        public string LastName { get; set; }

        /// <summary>Phone number: international (<c>+923004000101</c>) or national, read in the primary billing address's country; stored as E.164. Required without <c>EmailAddress</c>.</summary>
        [JsonProperty("ContactNumber", NullValueHandling = NullValueHandling.Ignore)]
        public string ContactNumber { get; set; }

        /// <summary>ISO 4217, e.g. <c>USD</c>.</summary>
        [JsonProperty("CurrencyCode", Required = Required.Always)]
        public string CurrencyCode { get; set; }

        /// <summary>E-mail address (the duplicate check's key). Optional when <c>ContactNumber</c> is given: a customer needs one of the two.</summary>
        [JsonProperty("EmailAddress", NullValueHandling = NullValueHandling.Ignore)]
        public string EmailAddress { get; set; }

        /// <summary><c>MM/DD/YYYY</c>. Optional.</summary>
        [JsonProperty("DateOfBirth", NullValueHandling = NullValueHandling.Ignore)]
        public string DateOfBirth { get; set; }

        /// <summary>Unknown, Male, Female or NonSpecific. Optional.</summary>
        [JsonProperty("Gender", NullValueHandling = NullValueHandling.Ignore)]
        public string Gender { get; set; }

        /// <summary><c>Organization</c> for a company (issue 32); <c>Person</c> (the default) otherwise.</summary>
        [JsonProperty("PartyType", NullValueHandling = NullValueHandling.Ignore)]
        public string PartyType { get; set; }

        /// <summary>The organisation's name: required for an <c>Organization</c>.</summary>
        [JsonProperty("OrganizationName", NullValueHandling = NullValueHandling.Ignore)]
        public string OrganizationName { get; set; }

        /// <summary>The organisation's tax/VAT number (D365 <c>TaxExemptNumber</c>): its identity for the duplicate policy.</summary>
        [JsonProperty("TaxNumber", NullValueHandling = NullValueHandling.Ignore)]
        public string TaxNumber { get; set; }

        /// <summary>D365 customer group. Optional (the app's default otherwise).</summary>
        [JsonProperty("CustomerGroup", NullValueHandling = NullValueHandling.Ignore)]
        public string CustomerGroup { get; set; }

        /// <summary>At most 10. Optional.</summary>
        [JsonProperty("BillingAddress", NullValueHandling = NullValueHandling.Ignore)]
        public List<CustomerAddress> BillingAddress { get; set; }

        /// <summary>At most 10. Optional.</summary>
        [JsonProperty("ShippingAddress", NullValueHandling = NullValueHandling.Ignore)]
        public List<CustomerAddress> ShippingAddress { get; set; }
    }

    /// <summary>One address (schema <c>CustomerRequest.Customer.BillingAddress[]</c>).</summary>
    public sealed class CustomerAddress
    {
        /// <summary>Optional.</summary>
        [JsonProperty("Addresstitle", NullValueHandling = NullValueHandling.Ignore)]
        public string Addresstitle { get; set; }

        /// <summary>At most 250 characters.</summary>
        [JsonProperty("Street", Required = Required.Always)]
        public string Street { get; set; }

        /// <summary><c>Billing</c> in BillingAddress, <c>Shipping</c> in ShippingAddress.</summary>
        [JsonProperty("Addresstype", Required = Required.Always)]
        public string Addresstype { get; set; }

        /// <summary><c>Yes</c> or <c>No</c>. Optional.</summary>
        [JsonProperty("PrimaryAddress", NullValueHandling = NullValueHandling.Ignore)]
        public string PrimaryAddress { get; set; }

        /// <summary>Optional.</summary>
        [JsonProperty("PostalCode", NullValueHandling = NullValueHandling.Ignore)]
        public string PostalCode { get; set; }

        /// <summary>Optional.</summary>
        [JsonProperty("City", NullValueHandling = NullValueHandling.Ignore)]
        public string City { get; set; }

        /// <summary>Optional.</summary>
        [JsonProperty("Country", NullValueHandling = NullValueHandling.Ignore)]
        public string Country { get; set; }

        /// <summary>ISO 3166-1 alpha-3, e.g. <c>USA</c>.</summary>
        [JsonProperty("CountryCode", Required = Required.Always)]
        public string CountryCode { get; set; }

        /// <summary>Optional.</summary>
        [JsonProperty("State", NullValueHandling = NullValueHandling.Ignore)]
        public string State { get; set; }
    }

    /// <summary>Schema <c>CallbackSecrets</c>: the secrets that sign your result callbacks.</summary>
    public class CallbackSecrets
    {
        /// <summary>Your <c>whsec_</c> secrets, the newest first.</summary>
        [JsonProperty("secrets", Required = Required.Always)]
        public List<string> Secrets { get; set; }
    }

    /// <summary>A request's state (schema <c>StatusAnswer</c>); never holds personal data.</summary>
    public class StatusAnswer
    {
        /// <summary>The request's correlation ID.</summary>
        [JsonProperty("correlationId", Required = Required.Always)]
        public string CorrelationId { get; set; }

        /// <summary><c>update</c> for a customer update (<c>PATCH</c>); absent for a create.</summary>
        [JsonProperty("kind")]
        public string Kind { get; set; }

        /// <summary>One of <see cref="RequestStatus"/>.</summary>
        [JsonProperty("status", Required = Required.Always)]
        public string Status { get; set; }

        /// <summary>The legal entity.</summary>
        [JsonProperty("legalEntity", Required = Required.Always)]
        public string LegalEntity { get; set; }

        /// <summary>The webhook source the request came from; absent for <c>POST /customers</c>.</summary>
        [JsonProperty("source")]
        public string Source { get; set; }

        /// <summary>The shop's own customer ID (webhooks).</summary>
        [JsonProperty("sourceCustomerId")]
        public string SourceCustomerId { get; set; }

        /// <summary>The D365 customer account (<c>succeeded</c>).</summary>
        [JsonProperty("customerAccount")]
        public string CustomerAccount { get; set; }

        /// <summary><c>created</c>, or <c>linked</c> when the customer existed (DUPLICATE_POLICY=link).</summary>
        [JsonProperty("outcome")]
        public string Outcome { get; set; }

        /// <summary><c>pending</c>: the create found a customer D365 already had, but this caller did not verify the shopper's identity: no <see cref="CustomerAccount"/>, and no changes through its reference until the link is verified (Shopify's <c>verified_email</c>, or an operator). SECURITY.md, "Who may do what".</summary>
        [JsonProperty("verification")]
        public string Verification { get; set; }

        /// <summary>Every D365 account the duplicate policy matched in the legal entity (by e-mail, or for a customer without one by name and phone): the duplicate refused, or the matches found.</summary>
        [JsonProperty("existingAccounts")]
        public List<string> ExistingAccounts { get; set; }

        /// <summary>Which fields of the D365 customer a lookup matched: <c>email</c>, <c>name_and_phone</c> (a customer without an e-mail, or a recovery), <c>tax_number</c> or <c>name_and_country</c> (an organisation), <c>name_initial_and_phone</c> (a possible duplicate: <c>needs_review</c>, <c>possible_duplicate</c>); never the values.</summary>
        [JsonProperty("matchedOn")]
        public string MatchedOn { get; set; }

        /// <summary>What an operator decided for the request in review: <c>linked</c> (to one of the candidates: <c>outcome</c> <c>linked</c>) or <c>create_new</c> (queued again and created); null when no operator decided it. Never names the operator.</summary>
        [JsonProperty("reviewDecision")]
        public string ReviewDecision { get; set; }

        /// <summary>CustomersV3 target: the further addresses of the create (beyond one primary, one invoice and one delivery address), by JSON pointer into the request; never the values.</summary>
        [JsonProperty("addresses")]
        public StatusAddresses Addresses { get; set; }

        /// <summary>CustomersV3 target, an organisation's create: its contact person <c>created</c>, <c>found</c> (already there, not created again) or <c>failed</c> (the organisation stays <c>succeeded</c>); never the values.</summary>
        [JsonProperty("contactPerson")]
        public string ContactPerson { get; set; }

        /// <summary>When a privacy request erased the customer from this request: only its facts remain.</summary>
        [JsonProperty("erasedAt")]
        public DateTimeOffset? ErasedAt { get; set; }

        /// <summary>Why a <c>failed</c> request failed.</summary>
        [JsonProperty("error")]
        public StatusError Error { get; set; }

        /// <summary>The last transient failure of a pending request.</summary>
        [JsonProperty("lastError")]
        public string LastError { get; set; }

        /// <summary>When the next attempt is due (<c>retrying</c>).</summary>
        [JsonProperty("nextAttemptAt")]
        public DateTimeOffset? NextAttemptAt { get; set; }

        /// <summary>A shop's customer: the write-back of its D365 account to the shop (Shopify metafield, BigCommerce attribute value); never changes <see cref="Status"/>.</summary>
        [JsonProperty("writeBack")]
        public StatusWriteBack WriteBack { get; set; }

        /// <summary>D365 attempts so far.</summary>
        [JsonProperty("attempts", Required = Required.Always)]
        public int Attempts { get; set; }

        /// <summary>When the request was accepted.</summary>
        [JsonProperty("createdAt", Required = Required.Always)]
        public DateTimeOffset CreatedAt { get; set; }

        /// <summary>When it last changed.</summary>
        [JsonProperty("updatedAt", Required = Required.Always)]
        public DateTimeOffset UpdatedAt { get; set; }
    }

    /// <summary>Schema <c>StatusAnswer.addresses</c>: what became of a create's further addresses, by JSON pointer.</summary>
    public sealed class StatusAddresses
    {
        /// <summary>Pointers of the further addresses in D365 now.</summary>
        [JsonProperty("landed", Required = Required.Always)]
        public List<string> Landed { get; set; }

        /// <summary>Pointers of the further addresses D365 refused, or that still failed after the retries.</summary>
        [JsonProperty("failed", Required = Required.Always)]
        public List<string> Failed { get; set; }
    }

    /// <summary>Schema <c>StatusAnswer.writeBack</c>: the D365 account written back to the shop's customer.</summary>
    public sealed class StatusWriteBack
    {
        /// <summary><c>pending</c> (queued or being retried), <c>written</c> (the shop holds the account) or <c>failed</c> (needs an operator: see <see cref="Error"/>).</summary>
        [JsonProperty("status", Required = Required.Always)]
        public string Status { get; set; }

        /// <summary>Attempts in the current series (waits for the shop's rate budget do not count).</summary>
        [JsonProperty("attempts", Required = Required.Always)]
        public int Attempts { get; set; }

        /// <summary>When it was written or failed.</summary>
        [JsonProperty("endedAt")]
        public DateTimeOffset? EndedAt { get; set; }

        /// <summary>When the next attempt is due (<c>pending</c>).</summary>
        [JsonProperty("nextAttemptAt")]
        public DateTimeOffset? NextAttemptAt { get; set; }

        /// <summary>Why it failed (<c>failed</c>): <c>shop_access</c>, <c>shop_customer_not_found</c>, <c>rejected</c> or <c>shop_unavailable</c>; never personal data.</summary>
        [JsonProperty("error")]
        public StatusError Error { get; set; }

        /// <summary>The last transient failure (<c>pending</c>).</summary>
        [JsonProperty("lastError")]
        public string LastError { get; set; }
    }

    /// <summary>Schema <c>StatusAnswer.error</c>.</summary>
    public sealed class StatusError
    {
        /// <summary>One of <see cref="FailureCodes"/>.</summary>
        [JsonProperty("code", Required = Required.Always)]
        public string Code { get; set; }

        /// <summary>Never personal data.</summary>
        [JsonProperty("message", Required = Required.Always)]
        public string Message { get; set; }
    }

    /// <summary>An applied update (<c>outcome</c> <c>updated</c>, <c>unchanged</c>, <c>stale</c> or <c>kept_d365</c>).</summary>
    public sealed class UpdatedCustomer : StatusAnswer
    {
        /// <summary>The key the update was sent with: keep it to repeat the update safely.</summary>
        [JsonIgnore]
        public string IdempotencyKey { get; set; }
    }

    /// <summary>
    /// A JSON Merge Patch (RFC 7396) of a customer: only the members set here change; <see cref="Remove"/>
    /// sends <c>null</c> (an optional member removed); an address list given replaces the whole list.
    /// </summary>
    public sealed class CustomerPatch
    {
        private readonly JObject _customer = new JObject();

        /// <summary>Sets a field of <c>Customer</c> (e.g. <c>ContactNumber</c>) to <paramref name="value"/>.</summary>
        public CustomerPatch Set(string field, string value)
        {
            _customer[field] = value == null ? (JToken)JValue.CreateNull() : new JValue(value);
            return this;
        }

        /// <summary>Removes an optional field (sends <c>null</c>).</summary>
        public CustomerPatch Remove(string field) => Set(field, null);

        /// <summary>Replaces <c>BillingAddress</c> or <c>ShippingAddress</c> with <paramref name="addresses"/>.</summary>
        public CustomerPatch SetAddresses(string list, IEnumerable<CustomerAddress> addresses)
        {
            _customer[list] = JArray.Parse(Json.Serialize(addresses));
            return this;
        }

        /// <summary>The members of <c>Customer</c> this patch sends.</summary>
        public JObject Customer => (JObject)_customer.DeepClone();

        internal string ToJson() => new JObject { ["Customer"] = _customer.DeepClone() }.ToString(Formatting.None);
    }

    /// <summary>A created (or linked) customer: the final <see cref="StatusAnswer"/> and the key it was sent with.</summary>
    public sealed class CreatedCustomer : StatusAnswer
    {
        /// <summary>The Idempotency-Key the request was sent with (given, or made by the client): keep it to repeat safely.</summary>
        [JsonIgnore]
        public string IdempotencyKey { get; set; }
    }

    /// <summary><c>202 Accepted</c> (schema <c>Accepted</c>).</summary>
    public sealed class Accepted
    {
        /// <summary>The request's correlation ID.</summary>
        [JsonProperty("correlationId", Required = Required.Always)]
        public string CorrelationId { get; set; }

        /// <summary>One of <see cref="RequestStatus"/>.</summary>
        [JsonProperty("status", Required = Required.Always)]
        public string Status { get; set; }

        /// <summary>Poll it (also in <c>Location</c>).</summary>
        [JsonProperty("statusUrl", Required = Required.Always)]
        public string StatusUrl { get; set; }
    }

    /// <summary>RFC 9457 problem details as the API sends them (schema <c>Problem</c>).</summary>
    public sealed class Problem
    {
        /// <summary>One of <see cref="ProblemTypes"/>.</summary>
        [JsonProperty("type", Required = Required.Always)]
        public string Type { get; set; }

        /// <summary>Short summary.</summary>
        [JsonProperty("title", Required = Required.Always)]
        public string Title { get; set; }

        /// <summary>The HTTP status.</summary>
        [JsonProperty("status", Required = Required.Always)]
        public int Status { get; set; }

        /// <summary>What happened; never personal data.</summary>
        [JsonProperty("detail", Required = Required.Always)]
        public string Detail { get; set; }

        /// <summary>Every offending field (invalid body) or the header (<c>pointer: ""</c>).</summary>
        [JsonProperty("errors")]
        public List<FieldError> Errors { get; set; }

        /// <summary>The malformed header (<c>invalid-header</c>).</summary>
        [JsonProperty("header")]
        public string Header { get; set; }

        /// <summary>The failure code of a failed request.</summary>
        [JsonProperty("code")]
        public string Code { get; set; }

        /// <summary>The correlation ID, when a request exists.</summary>
        [JsonProperty("correlationId")]
        public string CorrelationId { get; set; }

        /// <summary>Its status URL.</summary>
        [JsonProperty("statusUrl")]
        public string StatusUrl { get; set; }

        /// <summary>The existing accounts (a <c>duplicate</c> after <c>Prefer: wait</c>).</summary>
        [JsonProperty("existingAccounts")]
        public List<string> ExistingAccounts { get; set; }
    }

    /// <summary>Schema <c>FieldError</c>.</summary>
    public sealed class FieldError
    {
        /// <summary>RFC 6901 JSON Pointer into the request body, e.g. <c>/Customer/EmailAddress</c>.</summary>
        [JsonProperty("pointer", Required = Required.Always)]
        public string Pointer { get; set; }

        /// <summary>What is wrong with it.</summary>
        [JsonProperty("detail", Required = Required.Always)]
        public string Detail { get; set; }
    }

    /// <summary>The values of schema <c>Status</c>.</summary>
    public static class RequestStatus
    {
#pragma warning disable CS1591
        public const string Accepting = "accepting";
        public const string Queued = "queued";
        public const string Processing = "processing";
        public const string Submitting = "submitting";
        public const string Retrying = "retrying";
        public const string Succeeded = "succeeded";
        public const string Failed = "failed";
        public const string NeedsReview = "needs_review";
#pragma warning restore CS1591

        /// <summary>Every value, in the document's order.</summary>
        public static readonly IReadOnlyList<string> All = new[] { Accepting, Queued, Processing, Submitting, Retrying, Succeeded, Failed, NeedsReview };

        /// <summary>Whether the request has ended (<c>needs_review</c>: D365 confirmed the customer without an account; an operator finds it).</summary>
        public static bool IsFinal(string status) => status == Succeeded || status == Failed || status == NeedsReview;
    }

    /// <summary>The values of schema <c>FailureCode</c>.</summary>
    public static class FailureCodes
    {
#pragma warning disable CS1591
        public const string InvalidMessage = "invalid_message";
        public const string Duplicate = "duplicate";
        public const string BusinessError = "business_error";
        public const string NotRegistered = "not_registered";
        public const string InvalidSecret = "invalid_secret";
        public const string Unauthorized = "unauthorized";
        public const string Configuration = "configuration";
        public const string Unmappable = "unmappable";
        public const string SourceNotFound = "source_not_found";
        public const string AccountNotFound = "account_not_found";
        public const string RetriesExhausted = "retries_exhausted";
        public const string CustomerNotFound = "customer_not_found";
        public const string CustomerNotCreated = "customer_not_created";
        public const string InvalidUpdate = "invalid_update";
        public const string UpdateConflict = "update_conflict";
        public const string PossibleDuplicate = "possible_duplicate";
#pragma warning restore CS1591

        /// <summary>Every value, in the document's order.</summary>
        public static readonly IReadOnlyList<string> All = new[]
        {
            InvalidMessage, Duplicate, BusinessError, NotRegistered, InvalidSecret, Unauthorized, Configuration, Unmappable,
            SourceNotFound, AccountNotFound, RetriesExhausted, CustomerNotFound, CustomerNotCreated, InvalidUpdate,
            UpdateConflict, PossibleDuplicate,
        };
    }
}
