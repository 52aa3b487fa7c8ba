using System;
using System.Collections.Generic;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace D365CustomerSync.Client
{
    // The privacy routes' shapes (issue 27; docs/privacy.md): docs/openapi.json, components.schemas
    // PrivacyRequest, PrivacyAnswer, PrivacyExport. OpenApiContractTests checks them like the rest.

    /// <summary>
    /// The body of <c>POST /privacy/requests</c> (schema <c>PrivacyRequest</c>): <c>erase</c> or
    /// <c>export</c>, naming the customer in exactly one way — <see cref="Source"/> and
    /// <see cref="Reference"/>, <see cref="LegalEntity"/> and <see cref="CustomerAccount"/>, or
    /// <see cref="Email"/>. Use <see cref="Erase"/> / <see cref="Export"/> and the With… helpers.
    /// </summary>
    public sealed class PrivacyRequest
    {
        /// <summary><c>erase</c> or <c>export</c>.</summary>
        [JsonProperty("type", Required = Required.Always)]
        public string Type { get; set; }

        /// <summary>The source that names the customer by <see cref="Reference"/> (e.g. <c>pos</c>, a shop's source name).</summary>
        [JsonProperty("source", NullValueHandling = NullValueHandling.Ignore)]
        public string Source { get; set; }

        /// <summary>The source's own ID of the customer (a Customer-Reference, a shop's customer ID).</summary>
        [JsonProperty("reference", NullValueHandling = NullValueHandling.Ignore)]
        public string Reference { get; set; }

        /// <summary>With <see cref="CustomerAccount"/>: the D365 customer.</summary>
        [JsonProperty("legalEntity", NullValueHandling = NullValueHandling.Ignore)]
        public string LegalEntity { get; set; }

        /// <summary>With <see cref="LegalEntity"/>: the D365 customer.</summary>
        [JsonProperty("customerAccount", NullValueHandling = NullValueHandling.Ignore)]
        public string CustomerAccount { get; set; }

        /// <summary>The customer's e-mail address (the app keeps only its hash).</summary>
        [JsonProperty("email", NullValueHandling = NullValueHandling.Ignore)]
        public string Email { get; set; }

        /// <summary>An erasure request (name the customer with one of the With… helpers).</summary>
        public static PrivacyRequest Erase() => new PrivacyRequest { Type = "erase" };

        /// <summary>A data request: a copy of what the app holds.</summary>
        public static PrivacyRequest Export() => new PrivacyRequest { Type = "export" };

        /// <summary>Names the customer by a source's own ID.</summary>
        public PrivacyRequest WithReference(string source, string reference)
        {
            Source = source;
            Reference = reference;
            return this;
        }

        /// <summary>Names the customer by its D365 account.</summary>
        public PrivacyRequest WithAccount(string legalEntity, string customerAccount)
        {
            LegalEntity = legalEntity;
            CustomerAccount = customerAccount;
            return this;
        }

        /// <summary>Names the customer by e-mail.</summary>
        public PrivacyRequest WithEmail(string email)
        {
            Email = email;
            return this;
        }
    }

    /// <summary>A privacy request's status and proof (schema <c>PrivacyAnswer</c>): counts and identifiers, never a value of the customer.</summary>
    public sealed class PrivacyAnswer
    {
        /// <summary>The request's ID.</summary>
        [JsonProperty("id", Required = Required.Always)]
        public string Id { get; set; }

        /// <summary><c>erase</c> or <c>export</c>.</summary>
        [JsonProperty("type", Required = Required.Always)]
        public string Type { get; set; }

        /// <summary>One of <see cref="RequestStatus"/>.</summary>
        [JsonProperty("status", Required = Required.Always)]
        public string Status { get; set; }

        /// <summary><c>customer</c>, or <c>source</c> (everything of one shop: Shopify's shop/redact).</summary>
        [JsonProperty("scope", Required = Required.Always)]
        public string Scope { get; set; }

        /// <summary><c>shopify</c>, <c>standard</c> or <c>api</c>.</summary>
        [JsonProperty("via", Required = Required.Always)]
        public string Via { get; set; }

        /// <summary>The source it concerns, when one.</summary>
        [JsonProperty("source")]
        public string Source { get; set; }

        /// <summary>The shop's own request ID (Shopify's <c>data_request.id</c>).</summary>
        [JsonProperty("externalId")]
        public string ExternalId { get; set; }

        /// <summary>With <see cref="CustomerAccount"/>, when the request named a D365 customer.</summary>
        [JsonProperty("legalEntity")]
        public string LegalEntity { get; set; }

        /// <summary>The D365 customer the request named.</summary>
        [JsonProperty("customerAccount")]
        public string CustomerAccount { get; set; }

        /// <summary>When it was received.</summary>
        [JsonProperty("receivedAt", Required = Required.Always)]
        public DateTimeOffset ReceivedAt { get; set; }

        /// <summary>30 days after <see cref="ReceivedAt"/>.</summary>
        [JsonProperty("dueAt", Required = Required.Always)]
        public DateTimeOffset DueAt { get; set; }

        /// <summary>Still open after <see cref="DueAt"/>.</summary>
        [JsonProperty("pastDue", Required = Required.Always)]
        public bool PastDue { get; set; }

        /// <summary>When it completed.</summary>
        [JsonProperty("completedAt")]
        public DateTimeOffset? CompletedAt { get; set; }

        /// <summary>What an erasure removed, per store: counts, never values.</summary>
        [JsonProperty("erased")]
        public Dictionary<string, int> Erased { get; set; }

        /// <summary>What a data request found, per store: counts.</summary>
        [JsonProperty("found")]
        public Dictionary<string, int> Found { get; set; }

        /// <summary>Shops that refused our token during the erasure: the D365 account we wrote there could not be removed.</summary>
        [JsonProperty("shopsUnreached")]
        public List<string> ShopsUnreached { get; set; }

        /// <summary>The linked D365 customers, reported for the merchant or anonymised.</summary>
        [JsonProperty("d365", Required = Required.Always)]
        public List<PrivacyD365Outcome> D365 { get; set; }

        /// <summary>Who fetched the export, and when.</summary>
        [JsonProperty("fetches")]
        public List<PrivacyFetch> Fetches { get; set; }

        /// <summary>When an operator released the erasure (the customer may come back).</summary>
        [JsonProperty("releasedAt")]
        public DateTimeOffset? ReleasedAt { get; set; }

        /// <summary>Why it is still waiting or retrying (never personal data).</summary>
        [JsonProperty("lastError")]
        public string LastError { get; set; }

        /// <summary>Why it failed.</summary>
        [JsonProperty("error")]
        public StatusError Error { get; set; }

        /// <summary>Times the worker took it up.</summary>
        [JsonProperty("attempts", Required = Required.Always)]
        public int Attempts { get; set; }

        /// <summary>Last change.</summary>
        [JsonProperty("updatedAt", Required = Required.Always)]
        public DateTimeOffset UpdatedAt { get; set; }

        /// <summary>This request's status URL (also in <c>Location</c>).</summary>
        [JsonProperty("statusUrl")]
        public string StatusUrl { get; set; }
    }

    /// <summary>Schema <c>PrivacyAnswer.d365[]</c>: a linked D365 customer and what became of it.</summary>
    public sealed class PrivacyD365Outcome
    {
        /// <summary>The legal entity.</summary>
        [JsonProperty("legalEntity", Required = Required.Always)]
        public string LegalEntity { get; set; }

        /// <summary>The D365 account.</summary>
        [JsonProperty("customerAccount", Required = Required.Always)]
        public string CustomerAccount { get; set; }

        /// <summary><c>reported</c> (for the merchant to handle in F&amp;O) or <c>anonymise</c>.</summary>
        [JsonProperty("action", Required = Required.Always)]
        public string Action { get; set; }

        /// <summary>The anonymising update's correlation ID.</summary>
        [JsonProperty("updateId")]
        public string UpdateId { get; set; }

        /// <summary>The anonymising update's status.</summary>
        [JsonProperty("status")]
        public string Status { get; set; }

        /// <summary>The anonymising update's outcome.</summary>
        [JsonProperty("outcome")]
        public string Outcome { get; set; }

        /// <summary>Entity fields D365 refused to change.</summary>
        [JsonProperty("refused")]
        public List<string> Refused { get; set; }

        /// <summary>Why the anonymising update failed.</summary>
        [JsonProperty("errorCode")]
        public string ErrorCode { get; set; }
    }

    /// <summary>Schema <c>PrivacyAnswer.fetches[]</c>.</summary>
    public sealed class PrivacyFetch
    {
        /// <summary>The operator (<c>master-key</c>, or an Entra object ID).</summary>
        [JsonProperty("by", Required = Required.Always)]
        public string By { get; set; }

        /// <summary>When.</summary>
        [JsonProperty("at", Required = Required.Always)]
        public DateTimeOffset At { get; set; }
    }

    /// <summary>A data request's export (schema <c>PrivacyExport</c>): personal data, as stored.</summary>
    public sealed class PrivacyExport
    {
        /// <summary>The data request's ID.</summary>
        [JsonProperty("requestId", Required = Required.Always)]
        public string RequestId { get; set; }

        /// <summary>When it was built (at the fetch).</summary>
        [JsonProperty("generatedAt", Required = Required.Always)]
        public DateTimeOffset GeneratedAt { get; set; }

        /// <summary>The customer's requests.</summary>
        [JsonProperty("requests", Required = Required.Always)]
        public List<PrivacyExportedRequest> Requests { get; set; }

        /// <summary>The customer's links to D365 accounts.</summary>
        [JsonProperty("links", Required = Required.Always)]
        public List<PrivacyExportedLink> Links { get; set; }

        /// <summary>More was held than one export lists.</summary>
        [JsonProperty("truncated")]
        public bool? Truncated { get; set; }
    }

    /// <summary>Schema <c>PrivacyExport.requests[]</c>.</summary>
    public sealed class PrivacyExportedRequest
    {
        /// <summary>The request's correlation ID.</summary>
        [JsonProperty("correlationId", Required = Required.Always)]
        public string CorrelationId { get; set; }

        /// <summary><c>create</c> or <c>update</c>.</summary>
        [JsonProperty("kind", Required = Required.Always)]
        public string Kind { get; set; }

        /// <summary>Its status.</summary>
        [JsonProperty("status", Required = Required.Always)]
        public string Status { get; set; }

        /// <summary>Its legal entity.</summary>
        [JsonProperty("legalEntity", Required = Required.Always)]
        public string LegalEntity { get; set; }

        /// <summary>Its source.</summary>
        [JsonProperty("source")]
        public string Source { get; set; }

        /// <summary>The source's ID of the customer.</summary>
        [JsonProperty("sourceCustomerId")]
        public string SourceCustomerId { get; set; }

        /// <summary>The D365 account.</summary>
        [JsonProperty("customerAccount")]
        public string CustomerAccount { get; set; }

        /// <summary>How it ended.</summary>
        [JsonProperty("outcome")]
        public string Outcome { get; set; }

        /// <summary>Received (as stored: text).</summary>
        [JsonProperty("createdAt", Required = Required.Always)]
        public string CreatedAt { get; set; }

        /// <summary>Last change (as stored: text).</summary>
        [JsonProperty("updatedAt", Required = Required.Always)]
        public string UpdatedAt { get; set; }

        /// <summary>The request as stored, while the app still holds it.</summary>
        [JsonProperty("data")]
        public JToken Data { get; set; }

        /// <summary>The request as its caller sent it, when an operator edited it.</summary>
        [JsonProperty("original")]
        public JToken Original { get; set; }
    }

    /// <summary>Schema <c>PrivacyExport.links[]</c>.</summary>
    public sealed class PrivacyExportedLink
    {
        /// <summary>The source.</summary>
        [JsonProperty("source", Required = Required.Always)]
        public string Source { get; set; }

        /// <summary>The source's ID of the customer.</summary>
        [JsonProperty("sourceCustomerId")]
        public string SourceCustomerId { get; set; }

        /// <summary>The legal entity.</summary>
        [JsonProperty("legalEntity", Required = Required.Always)]
        public string LegalEntity { get; set; }

        /// <summary>The D365 account.</summary>
        [JsonProperty("customerAccount")]
        public string CustomerAccount { get; set; }

        /// <summary>When it was linked.</summary>
        [JsonProperty("linkedAt")]
        public string LinkedAt { get; set; }
    }
}
