using System;
using System.Collections.Generic;

namespace D365CustomerSync.Client
{
    /// <summary>The <c>type</c> values of schema <c>Problem</c>, without the common prefix.</summary>
    public static class ProblemTypes
    {
        /// <summary>Every problem type starts with it.</summary>
        public const string Prefix = "urn:d365-customer-sync:problem:";

#pragma warning disable CS1591
        public const string InvalidRequest = Prefix + "invalid-request";
        public const string UnsupportedMediaType = Prefix + "unsupported-media-type";
        public const string BodyTooLarge = Prefix + "body-too-large";
        /// <summary>A body sent chunked, without Content-Length (411): send it with one.</summary>
        public const string LengthRequired = Prefix + "length-required";
        public const string InvalidCorrelationId = Prefix + "invalid-correlation-id";
        public const string NotFound = Prefix + "not-found";
        public const string InvalidHeader = Prefix + "invalid-header";
        public const string IdempotencyKeyReused = Prefix + "idempotency-key-reused";
        public const string IdempotencyKeyInProgress = Prefix + "idempotency-key-in-progress";
        public const string NotReplayable = Prefix + "not-replayable";
        /// <summary>A privacy request that cannot do that yet (an export before it succeeded, a release before the erasure completed): 409.</summary>
        public const string PrivacyRequestNotReady = Prefix + "privacy-request-not-ready";
        /// <summary>A privacy request erased this customer; an operator's release lets it come back (409).</summary>
        public const string ErasedCustomer = Prefix + "erased-customer";
        public const string Forbidden = Prefix + "forbidden";
        public const string LinkUnverified = Prefix + "link-unverified";
        public const string ReferenceInUse = Prefix + "reference-in-use";
        public const string RateLimited = Prefix + "rate-limited";
        public const string TemporarilyUnavailable = Prefix + "temporarily-unavailable";
        /// <summary>An F&amp;O data event the app could not read (<c>POST /api/d365/data-events</c>, 400).</summary>
        public const string InvalidDataEvent = Prefix + "invalid-data-event";
        public const string WebhookUnauthorized = Prefix + "webhook-unauthorized";
        public const string WebhookInProgress = Prefix + "webhook-in-progress";
        public const string InvalidMessage = Prefix + "invalid-message";
        public const string Duplicate = Prefix + "duplicate";
        public const string BusinessError = Prefix + "business-error";
        public const string NotRegistered = Prefix + "not-registered";
        public const string InvalidSecret = Prefix + "invalid-secret";
        public const string Unauthorized = Prefix + "unauthorized";
        public const string Configuration = Prefix + "configuration";
        public const string Unmappable = Prefix + "unmappable";
        public const string SourceNotFound = Prefix + "source-not-found";
        public const string AccountNotFound = Prefix + "account-not-found";
        public const string RetriesExhausted = Prefix + "retries-exhausted";
        public const string InvalidPath = Prefix + "invalid-path";
        public const string InvalidQuery = Prefix + "invalid-query";
        /// <summary>An operator action that does not apply to the request now (409).</summary>
        public const string ActionRefused = Prefix + "action-refused";
        public const string UnknownCustomer = Prefix + "unknown-customer";
        public const string CustomerNotFound = Prefix + "customer-not-found";
        public const string CustomerNotCreated = Prefix + "customer-not-created";
        public const string InvalidUpdate = Prefix + "invalid-update";
        public const string UpdateConflict = Prefix + "update-conflict";
        /// <summary>A create without an e-mail ended <c>needs_review</c>: a possible duplicate (an initial for a first name), nothing created (409 to <c>Prefer: wait</c>).</summary>
        public const string PossibleDuplicate = Prefix + "possible-duplicate";
#pragma warning restore CS1591

        /// <summary>Every value, in the document's order.</summary>
        public static readonly IReadOnlyList<string> All = new[]
        {
            InvalidRequest, UnsupportedMediaType, BodyTooLarge, LengthRequired, InvalidCorrelationId, NotFound, InvalidHeader,
            IdempotencyKeyReused, IdempotencyKeyInProgress, NotReplayable, PrivacyRequestNotReady, ErasedCustomer, InvalidPath, InvalidQuery, ActionRefused, UnknownCustomer,
            Forbidden, LinkUnverified, ReferenceInUse, RateLimited, TemporarilyUnavailable, InvalidDataEvent, WebhookUnauthorized, WebhookInProgress, InvalidMessage, Duplicate,
            BusinessError, NotRegistered, InvalidSecret, Unauthorized, Configuration, Unmappable, SourceNotFound,
            AccountNotFound, RetriesExhausted, CustomerNotFound, CustomerNotCreated, InvalidUpdate, UpdateConflict,
            PossibleDuplicate,
        };
    }

    /// <summary>Base of every error the client throws for an answer of the API (or its absence).</summary>
    public class CustomerSyncException : Exception
    {
        /// <summary>Creates one.</summary>
        public CustomerSyncException(string message, int? status = null, Problem problem = null, string correlationId = null, Exception inner = null)
            : base(message, inner)
        {
            Status = status;
            Problem = problem;
            CorrelationId = correlationId ?? problem?.CorrelationId;
        }

        /// <summary>The HTTP status, when the API answered.</summary>
        public int? Status { get; }

        /// <summary>The problem details, when the API sent them.</summary>
        public Problem Problem { get; }

        /// <summary>The request's correlation ID, when one exists.</summary>
        public string CorrelationId { get; }
    }

    /// <summary>400: the body or a header is invalid; <see cref="FieldErrors"/> point at every offending field. Nothing was stored.</summary>
    public sealed class CustomerValidationException : CustomerSyncException
    {
        /// <summary>Creates one.</summary>
        public CustomerValidationException(Problem problem)
            : base(problem.Detail, problem.Status, problem)
        {
            FieldErrors = problem.Errors ?? new List<FieldError>();
        }

        /// <summary>JSON Pointers into the body (<c>/Customer/EmailAddress</c>) and what is wrong there.</summary>
        public IReadOnlyList<FieldError> FieldErrors { get; }
    }

    /// <summary>The customer exists already in the legal entity (DUPLICATE_POLICY=reject).</summary>
    public sealed class DuplicateCustomerException : CustomerSyncException
    {
        /// <summary>Creates one.</summary>
        public DuplicateCustomerException(string message, int? status, Problem problem, string correlationId, IReadOnlyList<string> existingAccounts = null)
            : base(message, status, problem, correlationId)
        {
            ExistingAccounts = existingAccounts ?? (IReadOnlyList<string>)problem?.ExistingAccounts ?? new string[0];
        }

        /// <summary>The accounts that exist with this e-mail address: put one on the cart instead.</summary>
        public IReadOnlyList<string> ExistingAccounts { get; }
    }

    /// <summary>404 on an update: this app did not create or link that customer (by account or by reference). Nothing was stored.</summary>
    public sealed class CustomerNotFoundException : CustomerSyncException
    {
        /// <summary>Creates one.</summary>
        public CustomerNotFoundException(Problem problem)
            : base(problem.Detail, problem.Status, problem, problem.CorrelationId) { }
    }

    /// <summary>429: the caller is over its budget, also after the client's own retries.</summary>
    public sealed class ThrottledException : CustomerSyncException
    {
        /// <summary>Creates one.</summary>
        public ThrottledException(Problem problem, TimeSpan retryAfter)
            : base(problem.Detail, problem.Status, problem)
        {
            RetryAfter = retryAfter;
        }

        /// <summary>How long the API asked to wait (<c>Retry-After</c>).</summary>
        public TimeSpan RetryAfter { get; }
    }

    /// <summary>422: the Idempotency-Key was sent before with another body. A new customer needs a new key.</summary>
    public sealed class IdempotencyKeyReusedException : CustomerSyncException
    {
        /// <summary>Creates one.</summary>
        public IdempotencyKeyReusedException(Problem problem)
            : base(problem.Detail, problem.Status, problem) { }
    }

    /// <summary>The request ended <c>failed</c> (D365 rejected it, configuration, retries exhausted...).</summary>
    public sealed class CustomerFailedException : CustomerSyncException
    {
        /// <summary>Creates one.</summary>
        public CustomerFailedException(string message, string code, int? status, Problem problem, string correlationId)
            : base(message, status, problem, correlationId)
        {
            Code = code;
        }

        /// <summary>One of <see cref="FailureCodes"/>.</summary>
        public string Code { get; }
    }

    /// <summary>401 / 403: the function key, the token or the app role is missing or wrong.</summary>
    public sealed class CustomerSyncAuthenticationException : CustomerSyncException
    {
        /// <summary>Creates one.</summary>
        public CustomerSyncAuthenticationException(string message, int status, Problem problem = null)
            : base(message, status, problem) { }
    }

    /// <summary>The API stayed unavailable (503, 500, network, timeouts) through the client's retries; repeating with the same key is safe.</summary>
    public sealed class ServiceUnavailableException : CustomerSyncException
    {
        /// <summary>Creates one.</summary>
        public ServiceUnavailableException(string message, int? status = null, Problem problem = null, Exception inner = null)
            : base(message, status, problem, null, inner) { }
    }

    /// <summary>The request is accepted but did not end within the client's timeout: poll <see cref="StatusUrl"/> later, or send again with the same key.</summary>
    public sealed class PendingTimeoutException : CustomerSyncException
    {
        /// <summary>Creates one.</summary>
        public PendingTimeoutException(string correlationId, string statusUrl, string idempotencyKey)
            : base($"The request {correlationId} is still pending; poll its status later.", null, null, correlationId)
        {
            StatusUrl = statusUrl;
            IdempotencyKey = idempotencyKey;
        }

        /// <summary>Where to poll.</summary>
        public string StatusUrl { get; }

        /// <summary>The key it was sent with: sending the same body with it again returns the same request.</summary>
        public string IdempotencyKey { get; }
    }

    /// <summary>409: the <c>Customer-Reference</c> already names one of your customers (or its create is running): <see cref="StatusUrl"/> is that create's.</summary>
    public sealed class ReferenceInUseException : CustomerSyncException
    {
        /// <summary>Creates one.</summary>
        public ReferenceInUseException(Problem problem)
            : base(problem.Detail, problem.Status, problem)
        {
            StatusUrl = problem.StatusUrl;
        }

        /// <summary>The status URL of the create that holds the reference.</summary>
        public string StatusUrl { get; }
    }

    /// <summary>
    /// The create found the customer D365 already had (<c>linked</c>), but this caller did not verify the shopper's
    /// identity: the account is withheld and the customer cannot be changed through its reference until the link is
    /// verified (Shopify's <c>verified_email</c>, or an operator). A POS (staff) caller never gets it.
    /// </summary>
    public sealed class VerificationPendingException : CustomerSyncException
    {
        /// <summary>Creates one.</summary>
        public VerificationPendingException(string correlationId)
            : base($"The customer of {correlationId} exists already; its link waits for a verified identity, so its account is not shown.", null, null, correlationId) { }
    }

    internal static class ProblemMapping
    {
        /// <summary>Maps a final problem answer to the typed error, by its <c>type</c>.</summary>
        internal static CustomerSyncException ForProblem(Problem problem, TimeSpan retryAfter)
        {
            switch (problem.Type)
            {
                case ProblemTypes.InvalidRequest:
                case ProblemTypes.InvalidHeader:
                case ProblemTypes.UnsupportedMediaType:
                case ProblemTypes.BodyTooLarge:
                case ProblemTypes.InvalidCorrelationId:
                case ProblemTypes.InvalidPath:
                    return new CustomerValidationException(problem);
                case ProblemTypes.UnknownCustomer:
                    return new CustomerNotFoundException(problem);
                case ProblemTypes.Duplicate:
                    return new DuplicateCustomerException(problem.Detail, problem.Status, problem, problem.CorrelationId);
                case ProblemTypes.RateLimited:
                    return new ThrottledException(problem, retryAfter);
                case ProblemTypes.IdempotencyKeyReused:
                    return new IdempotencyKeyReusedException(problem);
                case ProblemTypes.ReferenceInUse:
                    return new ReferenceInUseException(problem);
                case ProblemTypes.Forbidden:
                case ProblemTypes.LinkUnverified:
                    return new CustomerSyncAuthenticationException(problem.Detail, problem.Status, problem);
                case ProblemTypes.TemporarilyUnavailable:
                    return new ServiceUnavailableException(problem.Detail, problem.Status, problem);
                default:
                    if (!string.IsNullOrEmpty(problem.Code))
                        return new CustomerFailedException(problem.Detail, problem.Code, problem.Status, problem, problem.CorrelationId);
                    return new CustomerSyncException(string.IsNullOrEmpty(problem.Detail) ? problem.Title : problem.Detail, problem.Status, problem);
            }
        }
    }
}
