using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace D365CustomerSync.Client
{
    /// <summary>
    /// The operators' privacy routes (issue 27; docs/privacy.md): they need the master key
    /// (<see cref="CustomerSyncClientOptions.FunctionKey"/>), or with App Service Authentication an
    /// operator's token (<see cref="CustomerSyncClientOptions.TokenProvider"/>). Retried as the rest of
    /// the client; a request is sent with an Idempotency-Key, so sending it again is the same request.
    /// </summary>
    public sealed partial class CustomerSyncClient
    {
        /// <summary>
        /// Asks for a customer's erasure or a copy of what the app holds (<see cref="PrivacyRequest.Erase"/>,
        /// <see cref="PrivacyRequest.Export"/>); returns the stored request with its due date and status URL.
        /// </summary>
        public async Task<PrivacyAnswer> CreatePrivacyRequestAsync(
            PrivacyRequest request, string idempotencyKey = null, CancellationToken cancellationToken = default)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            var key = string.IsNullOrEmpty(idempotencyKey) ? IdempotencyKeys.New() : idempotencyKey;
            var answer = await SendAsync(HttpMethod.Post, _baseUrl + "/privacy/requests", Json.Serialize(request), key, 0,
                    DefaultAttemptTimeout, cancellationToken)
                .ConfigureAwait(false);
            return Json.Deserialize<PrivacyAnswer>(answer.Body);
        }

        /// <summary>One read of a privacy request's status and proof (counts per store, the D365 outcome).</summary>
        public async Task<PrivacyAnswer> GetPrivacyRequestAsync(string id, CancellationToken cancellationToken = default)
        {
            var answer = await SendAsync(HttpMethod.Get, PrivacyUrl(id), null, null, 0, DefaultAttemptTimeout, cancellationToken)
                .ConfigureAwait(false);
            return Json.Deserialize<PrivacyAnswer>(answer.Body);
        }

        /// <summary>Polls a privacy request until it ends (an erasure waits for the customer's requests in flight first).</summary>
        public async Task<PrivacyAnswer> WaitForPrivacyRequestAsync(
            string id, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        {
            var deadline = DateTimeOffset.UtcNow + (timeout ?? _options.Timeout);
            for (; ; )
            {
                var response = await SendAsync(HttpMethod.Get, PrivacyUrl(id), null, null, 0, DefaultAttemptTimeout, cancellationToken)
                    .ConfigureAwait(false);
                var answer = Json.Deserialize<PrivacyAnswer>(response.Body);
                if (RequestStatus.IsFinal(answer.Status)) return answer;
                var delay = response.RetryAfter ?? TimeSpan.FromSeconds(1);
                if (DateTimeOffset.UtcNow + delay > deadline) throw new PendingTimeoutException(id, PrivacyUrl(id), null);
                await Task.Delay(Min(delay, _options.MaxDelay), cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>A completed data request's export (personal data); the app records who fetched it, and when.</summary>
        public async Task<PrivacyExport> GetPrivacyExportAsync(string id, CancellationToken cancellationToken = default)
        {
            var answer = await SendAsync(HttpMethod.Get, PrivacyUrl(id) + "/export", null, null, 0, DefaultAttemptTimeout, cancellationToken)
                .ConfigureAwait(false);
            return Json.Deserialize<PrivacyExport>(answer.Body);
        }

        /// <summary>Lifts a completed erasure's marks: the customer may be created again (what was erased stays erased).</summary>
        public async Task<PrivacyAnswer> ReleasePrivacyRequestAsync(string id, CancellationToken cancellationToken = default)
        {
            var answer = await SendAsync(HttpMethod.Post, PrivacyUrl(id) + "/release", null, null, 0, DefaultAttemptTimeout, cancellationToken)
                .ConfigureAwait(false);
            return Json.Deserialize<PrivacyAnswer>(answer.Body);
        }

        private string PrivacyUrl(string id) => _baseUrl + "/privacy/requests/" + Uri.EscapeDataString(id);
    }
}
