using System;
using System.Threading;
using System.Threading.Tasks;

namespace D365CustomerSync.Client
{
    /// <summary>
    /// Supplies the bearer token for App Service Authentication (Entra ID in front of the function
    /// app). Called before every send; cache the token yourself (MSAL and Azure.Identity do).
    /// </summary>
    public interface IAccessTokenProvider
    {
        /// <summary>An access token for the API's app registration (its <c>Customers.Create</c> role).</summary>
        Task<string> GetAccessTokenAsync(CancellationToken cancellationToken);
    }

    /// <summary>An <see cref="IAccessTokenProvider"/> from a delegate.</summary>
    public sealed class DelegateAccessTokenProvider : IAccessTokenProvider
    {
        private readonly Func<CancellationToken, Task<string>> _get;

        /// <summary>Wraps <paramref name="get"/>.</summary>
        public DelegateAccessTokenProvider(Func<CancellationToken, Task<string>> get)
        {
            _get = get ?? throw new ArgumentNullException(nameof(get));
        }

        /// <inheritdoc />
        public Task<string> GetAccessTokenAsync(CancellationToken cancellationToken) => _get(cancellationToken);
    }

    /// <summary>How the client reaches the API and how long it tries.</summary>
    public sealed class CustomerSyncClientOptions
    {
        /// <summary>The API's base URL, e.g. <c>https://contoso-sync.azurewebsites.net/api</c>.</summary>
        public Uri BaseUrl { get; set; }

        /// <summary>An Azure Functions key, sent as <c>x-functions-key</c> (leave out behind API Management, or locally).</summary>
        public string FunctionKey { get; set; }

        /// <summary>Bearer tokens for App Service Authentication; sent as <c>Authorization: Bearer</c>.</summary>
        public IAccessTokenProvider TokenProvider { get; set; }

        /// <summary>Sends of one call before giving up on 429, 503, 500, network errors and attempt timeouts. Default 5.</summary>
        public int MaxAttempts { get; set; } = 5;

        /// <summary>How long <see cref="CustomerSyncClient.CreateCustomerAsync"/> polls after the first answer. Default 60 s.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>Longest wait between two polls or two sends, whatever <c>Retry-After</c> says. Default 30 s.</summary>
        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary><c>Prefer: wait=N</c> seconds when a call does not say; 0 = no wait. Default 10.</summary>
        public int DefaultWaitSeconds { get; set; } = 10;

        /// <summary>How long one send may take before it is abandoned and (with the same key) sent again. Default: the wait plus 10 s.</summary>
        public TimeSpan? AttemptTimeout { get; set; }

        /// <summary>
        /// Check each field with the API's own rules (the OpenAPI document's patterns, <see cref="ContractRules"/>)
        /// before sending, and throw <see cref="CustomerValidationException"/> without a request. Default true; turn it
        /// off only if this client is older than an API that has since widened a rule.
        /// </summary>
        public bool ValidateBeforeSending { get; set; } = true;
    }

    /// <summary>Per-call options of <see cref="CustomerSyncClient.CreateCustomerAsync"/>.</summary>
    public sealed class CreateCustomerOptions
    {
        /// <summary>
        /// Makes the request safe to repeat: the same key with the same body returns the same request.
        /// Default: a new UUID, kept across the client's own retries. From a POS, derive it from the
        /// cart (<see cref="IdempotencyKeys.ForCart"/>) so that the cashier's own retry is safe too.
        /// </summary>
        public string IdempotencyKey { get; set; }

        /// <summary><c>Prefer: wait=N</c> seconds (the account in one round trip when D365 is quick); 0 = no wait. Default: the client's.</summary>
        public int? WaitSeconds { get; set; }

        /// <summary>
        /// <c>Customer-Reference</c>: your own ID of the customer (the POS customer number), by which
        /// <see cref="CustomerSyncClient.UpdateCustomerByReferenceAsync"/> names it later. Not personal data.
        /// </summary>
        public string Reference { get; set; }
    }

    /// <summary>Per-call options of the update methods of <see cref="CustomerSyncClient"/>.</summary>
    public sealed class UpdateCustomerOptions
    {
        /// <summary>Makes the update safe to repeat. Default: a new UUID, kept across the client's own retries.</summary>
        public string IdempotencyKey { get; set; }

        /// <summary><c>Prefer: wait=N</c> seconds; 0 = no wait (the client polls). Default: the client's.</summary>
        public int? WaitSeconds { get; set; }

        /// <summary>
        /// <c>Customer-Version</c>: a number that grows with each change of the customer on your side.
        /// Updates then apply in version order whatever order they arrive in; an older one ends <c>stale</c>.
        /// </summary>
        public long? Version { get; set; }
    }
}
