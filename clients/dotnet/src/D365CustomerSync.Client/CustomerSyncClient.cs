using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json;

namespace D365CustomerSync.Client
{
    /// <summary>
    /// Client of d365-customer-sync, for Commerce runtime (CRT) extensions and other .NET callers.
    /// The same protocol as the TypeScript client (packages/client): one Idempotency-Key per
    /// customer, kept across the client's own retries; <c>Prefer: wait</c>; then polling the
    /// status URL honouring <c>Retry-After</c>; problems mapped to typed exceptions by their type.
    /// Thread-safe; keep one instance (and its HttpClient) for the process.
    /// </summary>
    public sealed partial class CustomerSyncClient : IDisposable
    {
        private static readonly Random Jitter = new Random();
        private readonly HttpClient _http;
        private readonly bool _ownsHttp;
        private readonly CustomerSyncClientOptions _options;
        private readonly string _baseUrl;

        /// <summary>Creates a client with an HttpClient of its own.</summary>
        public CustomerSyncClient(CustomerSyncClientOptions options)
            : this(options, new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan }, ownsHttpClient: true) { }

        /// <summary>Creates a client on a shared HttpClient (its own Timeout still applies; the client sets per-attempt timeouts itself).</summary>
        public CustomerSyncClient(CustomerSyncClientOptions options, HttpClient httpClient, bool ownsHttpClient = false)
        {
            _options = options ?? throw new ArgumentNullException(nameof(options));
            if (options.BaseUrl == null) throw new ArgumentException("BaseUrl is needed.", nameof(options));
            _http = httpClient ?? throw new ArgumentNullException(nameof(httpClient));
            _ownsHttp = ownsHttpClient;
            _baseUrl = options.BaseUrl.ToString().TrimEnd('/');
        }

        /// <summary>
        /// Creates a customer and returns its D365 account: <c>Prefer: wait</c> first, then polling
        /// the status URL with <c>Retry-After</c>. Throttling, 503s, network errors and attempt
        /// timeouts are retried with the same Idempotency-Key, so the customer is created once
        /// however often it is sent. Throws <see cref="CustomerValidationException"/>,
        /// <see cref="DuplicateCustomerException"/>, <see cref="CustomerFailedException"/>,
        /// <see cref="ThrottledException"/>, <see cref="ServiceUnavailableException"/>,
        /// <see cref="PendingTimeoutException"/>, <see cref="CustomerSyncAuthenticationException"/>,
        /// <see cref="IdempotencyKeyReusedException"/>; <see cref="OperationCanceledException"/>
        /// when <paramref name="cancellationToken"/> is cancelled (the request may still complete:
        /// send it again with the same key to learn how it ended).
        /// </summary>
        public async Task<CreatedCustomer> CreateCustomerAsync(
            CustomerRequest request, CreateCustomerOptions options = null, CancellationToken cancellationToken = default)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            if (_options.ValidateBeforeSending)
            {
                var errors = ContractRules.Check(request);
                if (errors.Count > 0) throw new CustomerValidationException(ContractRules.LocalProblem(errors));
            }
            options = options ?? new CreateCustomerOptions();
            var key = string.IsNullOrEmpty(options.IdempotencyKey) ? IdempotencyKeys.New() : options.IdempotencyKey;
            var wait = Math.Max(0, options.WaitSeconds ?? _options.DefaultWaitSeconds);
            var body = Json.Serialize(request);
            var attemptTimeout = _options.AttemptTimeout ?? TimeSpan.FromSeconds(wait + 10);

            var headers = string.IsNullOrEmpty(options.Reference)
                ? null
                : new Dictionary<string, string> { ["Customer-Reference"] = options.Reference };
            var answer = await SendAsync(HttpMethod.Post, _baseUrl + "/customers", body, key, wait, attemptTimeout, cancellationToken, headers: headers)
                .ConfigureAwait(false);
            var deadline = DateTimeOffset.UtcNow + _options.Timeout;
            if (answer.Status != HttpStatusCode.Accepted)
                return Created(Json.Deserialize<StatusAnswer>(answer.Body), key);
            var accepted = Json.Deserialize<Accepted>(answer.Body);
            var statusUrl = answer.Location ?? accepted.StatusUrl;
            var final = await PollAsync(accepted.CorrelationId, statusUrl, key, answer.RetryAfter ?? TimeSpan.FromSeconds(1), deadline, cancellationToken)
                .ConfigureAwait(false);
            if (final.Status == RequestStatus.Succeeded) return Created(final, key);
            var code = final.Error?.Code ?? FailureCodes.RetriesExhausted;
            var message = final.Error?.Message ?? "D365 did not create the customer.";
            if (code == FailureCodes.Duplicate) throw new DuplicateCustomerException(message, null, null, final.CorrelationId, final.ExistingAccounts);
            throw new CustomerFailedException(message, code, null, null, final.CorrelationId);
        }

        /// <summary>
        /// Changes a customer this app created or linked, named by its D365 account: a JSON Merge Patch
        /// (<see cref="CustomerPatch"/>), sent to D365 as only the fields that changed. Returns once the
        /// update is applied (<c>Prefer: wait</c>, then polling). Throws <see cref="CustomerNotFoundException"/>
        /// (not created or linked here), <see cref="CustomerValidationException"/>, or
        /// <see cref="CustomerFailedException"/> (<c>update_conflict</c> when D365 changed those fields
        /// since our last write, <c>customer_not_found</c>, <c>invalid_update</c>, ...).
        /// </summary>
        public Task<UpdatedCustomer> UpdateCustomerByAccountAsync(
            string legalEntity, string customerAccount, CustomerPatch patch, UpdateCustomerOptions options = null,
            CancellationToken cancellationToken = default) =>
            UpdateAsync($"accounts/{Uri.EscapeDataString(legalEntity)}/{Uri.EscapeDataString(customerAccount)}", patch, options, cancellationToken);

        /// <summary>The same, naming the customer by the <c>Customer-Reference</c> it was created with (your own ID).</summary>
        public Task<UpdatedCustomer> UpdateCustomerByReferenceAsync(
            string reference, CustomerPatch patch, UpdateCustomerOptions options = null, CancellationToken cancellationToken = default) =>
            UpdateAsync("references/" + Uri.EscapeDataString(reference), patch, options, cancellationToken);

        private async Task<UpdatedCustomer> UpdateAsync(
            string path, CustomerPatch patch, UpdateCustomerOptions options, CancellationToken cancellationToken)
        {
            if (patch == null) throw new ArgumentNullException(nameof(patch));
            if (_options.ValidateBeforeSending)
            {
                var errors = ContractRules.Check(patch);
                if (errors.Count > 0) throw new CustomerValidationException(ContractRules.LocalProblem(errors));
            }
            options = options ?? new UpdateCustomerOptions();
            var key = string.IsNullOrEmpty(options.IdempotencyKey) ? IdempotencyKeys.New() : options.IdempotencyKey;
            var wait = Math.Max(0, options.WaitSeconds ?? _options.DefaultWaitSeconds);
            var headers = options.Version.HasValue
                ? new Dictionary<string, string> { ["Customer-Version"] = options.Version.Value.ToString(CultureInfo.InvariantCulture) }
                : null;
            var attemptTimeout = _options.AttemptTimeout ?? TimeSpan.FromSeconds(wait + 10);
            var answer = await SendAsync(
                    new HttpMethod("PATCH"), _baseUrl + "/customers/" + path, patch.ToJson(), key, wait, attemptTimeout, cancellationToken,
                    "application/merge-patch+json", headers)
                .ConfigureAwait(false);
            var final = answer.Status == HttpStatusCode.OK ? Json.Deserialize<StatusAnswer>(answer.Body) : null;
            if (final == null)
            {
                var accepted = Json.Deserialize<Accepted>(answer.Body);
                var deadline = DateTimeOffset.UtcNow + _options.Timeout;
                final = await PollAsync(accepted.CorrelationId, answer.Location ?? accepted.StatusUrl, key,
                        answer.RetryAfter ?? TimeSpan.FromSeconds(1), deadline, cancellationToken)
                    .ConfigureAwait(false);
                if (final.Status != RequestStatus.Succeeded)
                    throw new CustomerFailedException(
                        final.Error?.Message ?? "D365 did not update the customer.", final.Error?.Code ?? FailureCodes.RetriesExhausted,
                        null, null, final.CorrelationId);
            }
            return new UpdatedCustomer
            {
                CorrelationId = final.CorrelationId,
                Kind = final.Kind,
                Status = final.Status,
                LegalEntity = final.LegalEntity,
                Source = final.Source,
                SourceCustomerId = final.SourceCustomerId,
                CustomerAccount = final.CustomerAccount,
                Outcome = final.Outcome,
                Attempts = final.Attempts,
                CreatedAt = final.CreatedAt,
                UpdatedAt = final.UpdatedAt,
                IdempotencyKey = key,
            };
        }

        /// <summary>One read of a request's state.</summary>
        public async Task<StatusAnswer> GetStatusAsync(string correlationId, CancellationToken cancellationToken = default)
        {
            var answer = await SendAsync(HttpMethod.Get, StatusUrl(correlationId), null, null, 0, DefaultAttemptTimeout, cancellationToken)
                .ConfigureAwait(false);
            return Json.Deserialize<StatusAnswer>(answer.Body);
        }

        /// <summary>
        /// Your <c>whsec_</c> secrets for verifying the result callbacks of your requests, the newest first (each
        /// caller's are its own; read them again after the app's secret is rotated).
        /// </summary>
        public async Task<IReadOnlyList<string>> GetCallbackSecretsAsync(CancellationToken cancellationToken = default)
        {
            var answer = await SendAsync(HttpMethod.Get, _baseUrl + "/callbacks/secret", null, null, 0, DefaultAttemptTimeout, cancellationToken)
                .ConfigureAwait(false);
            return Json.Deserialize<CallbackSecrets>(answer.Body).Secrets;
        }

        /// <summary>Polls a request until it ends (honouring <c>Retry-After</c>); returns its final state, failed or not.</summary>
        public Task<StatusAnswer> WaitForResultAsync(string correlationId, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        {
            var deadline = DateTimeOffset.UtcNow + (timeout ?? _options.Timeout);
            return PollAsync(correlationId, StatusUrl(correlationId), null, TimeSpan.Zero, deadline, cancellationToken);
        }

        /// <inheritdoc />
        public void Dispose()
        {
            if (_ownsHttp) _http.Dispose();
        }

        private TimeSpan DefaultAttemptTimeout => _options.AttemptTimeout ?? TimeSpan.FromSeconds(10);

        private string StatusUrl(string correlationId) => _baseUrl + "/customers/status/" + Uri.EscapeDataString(correlationId);

        private static CreatedCustomer Created(StatusAnswer answer, string key)
        {
            if (answer.Status == RequestStatus.Succeeded && answer.Verification == "pending")
                throw new VerificationPendingException(answer.CorrelationId);
            if (answer.Status != RequestStatus.Succeeded || string.IsNullOrEmpty(answer.CustomerAccount))
                throw new CustomerSyncException($"Unexpected answer for {answer.CorrelationId}: {answer.Status}", null, null, answer.CorrelationId);
            return new CreatedCustomer
            {
                CorrelationId = answer.CorrelationId,
                Status = answer.Status,
                LegalEntity = answer.LegalEntity,
                Source = answer.Source,
                SourceCustomerId = answer.SourceCustomerId,
                ExistingAccounts = answer.ExistingAccounts,
                CustomerAccount = answer.CustomerAccount,
                Outcome = answer.Outcome,
                Attempts = answer.Attempts,
                CreatedAt = answer.CreatedAt,
                UpdatedAt = answer.UpdatedAt,
                IdempotencyKey = key,
            };
        }

        private async Task<StatusAnswer> PollAsync(
            string correlationId, string statusUrl, string key, TimeSpan firstDelay, DateTimeOffset deadline, CancellationToken cancellationToken)
        {
            var delay = firstDelay;
            for (; ; )
            {
                if (DateTimeOffset.UtcNow + delay > deadline) throw new PendingTimeoutException(correlationId, statusUrl, key);
                if (delay > TimeSpan.Zero) await Task.Delay(Min(delay, _options.MaxDelay), cancellationToken).ConfigureAwait(false);
                var response = await SendAsync(HttpMethod.Get, statusUrl, null, null, 0, DefaultAttemptTimeout, cancellationToken)
                    .ConfigureAwait(false);
                var answer = Json.Deserialize<StatusAnswer>(response.Body);
                if (RequestStatus.IsFinal(answer.Status)) return answer;
                delay = response.RetryAfter ?? TimeSpan.FromSeconds(1);
            }
        }

        /// <summary>
        /// Sends one call, retrying what is safe to retry (every call here is: the POST carries its
        /// Idempotency-Key): 429 and 503 after Retry-After, 409 "still being accepted", 500, 502,
        /// 504, network errors and attempt timeouts with back-off. Returns a 2xx answer; throws
        /// the typed error otherwise.
        /// </summary>
        private async Task<Answer> SendAsync(
            HttpMethod method, string url, string body, string key, int wait, TimeSpan attemptTimeout, CancellationToken cancellationToken,
            string contentType = "application/json", IReadOnlyDictionary<string, string> headers = null, bool once = false)
        {
            // An operator action (audited, not keyed) is sent once: a second send would act again or be refused.
            var maxAttempts = once ? 1 : _options.MaxAttempts;
            CustomerSyncException lastError = null;
            for (var attempt = 1; ; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                TimeSpan? pause = null;
                using (var request = new HttpRequestMessage(method, url))
                using (var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                    if (!string.IsNullOrEmpty(_options.FunctionKey)) request.Headers.Add("x-functions-key", _options.FunctionKey);
                    if (_options.TokenProvider != null)
                    {
                        var token = await _options.TokenProvider.GetAccessTokenAsync(cancellationToken).ConfigureAwait(false);
                        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                    }
                    if (key != null) request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
                    if (wait > 0) request.Headers.TryAddWithoutValidation("Prefer", "wait=" + wait.ToString(CultureInfo.InvariantCulture));
                    if (headers != null)
                        foreach (var header in headers) request.Headers.TryAddWithoutValidation(header.Key, header.Value);
                    if (body != null) request.Content = new StringContent(body, Encoding.UTF8, contentType);
                    attemptCts.CancelAfter(attemptTimeout);

                    HttpResponseMessage response;
                    try
                    {
                        response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, attemptCts.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        throw;
                    }
                    catch (Exception error) when (error is HttpRequestException || error is OperationCanceledException)
                    {
                        var what = error is OperationCanceledException
                            ? $"no answer within {attemptTimeout.TotalSeconds:0.#} s"
                            : error.Message;
                        lastError = new ServiceUnavailableException($"The API could not be reached: {what}", null, null, error);
                        if (attempt >= maxAttempts) throw lastError;
                        await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    using (response)
                    {
                        var text = response.Content == null ? "" : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                        var retryAfter = RetryAfter(response);
                        if (response.IsSuccessStatusCode)
                            {
                            var location = response.Headers.Location;
                            if (location != null && !location.IsAbsoluteUri) location = new Uri(request.RequestUri, location);
                            return new Answer(response.StatusCode, text, location?.ToString(), retryAfter);
                        }
                        var status = (int)response.StatusCode;
                        // Always empty: the platform's answer to a wrong key (or App Service Authentication's to a missing token).
                        if (status == 401)
                            throw new CustomerSyncAuthenticationException("The key (or the Entra ID token) is missing or wrong (401).", 401);
                        var problem = ReadProblem(text, response);
                        bool transient;
                        if (problem == null)
                        {
                            // 500 from the host, or a gateway's HTML page: nothing the app decided.
                            transient = status == 500 || status == 502 || status == 503 || status == 504;
                            lastError = transient
                                ? new ServiceUnavailableException($"The API is unavailable ({status}).", status)
                                : new CustomerSyncException($"Unexpected answer {status}.", status);
                        }
                        else
                        {
                            lastError = ProblemMapping.ForProblem(problem, retryAfter ?? TimeSpan.Zero);
                            transient = status == 429
                                || problem.Type == ProblemTypes.TemporarilyUnavailable
                                || problem.Type == ProblemTypes.IdempotencyKeyInProgress;
                        }
                        if (!transient || attempt >= maxAttempts) throw lastError;
                        pause = retryAfter.HasValue ? Min(retryAfter.Value, _options.MaxDelay) : Backoff(attempt);
                    }
                }
                await Task.Delay(pause.Value, cancellationToken).ConfigureAwait(false);
            }
        }

        private static Problem ReadProblem(string text, HttpResponseMessage response)
        {
            var type = response.Content?.Headers.ContentType?.MediaType ?? "";
            if (!type.Contains("json")) return null;
            try
            {
                var problem = Json.Deserialize<Problem>(text);
                return problem != null && !string.IsNullOrEmpty(problem.Type) ? problem : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private static TimeSpan? RetryAfter(HttpResponseMessage response)
        {
            var header = response.Headers.RetryAfter;
            if (header == null) return null;
            if (header.Delta.HasValue) return header.Delta.Value;
            if (header.Date.HasValue)
            {
                var wait = header.Date.Value - DateTimeOffset.UtcNow;
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
            return null;
        }

        /// <summary>Exponential back-off with full jitter: random in [0, min(max, 250 ms · 2^attempt)].</summary>
        private TimeSpan Backoff(int attempt)
        {
            double r;
            lock (Jitter) r = Jitter.NextDouble();
            var cap = Math.Min(_options.MaxDelay.TotalMilliseconds, 250 * Math.Pow(2, attempt));
            return TimeSpan.FromMilliseconds(r * cap);
        }

        private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

        private sealed class Answer
        {
            internal Answer(HttpStatusCode status, string body, string location, TimeSpan? retryAfter)
            {
                Status = status;
                Body = body;
                Location = location;
                RetryAfter = retryAfter;
            }

            internal HttpStatusCode Status { get; }
            internal string Body { get; }
            internal string Location { get; }
            internal TimeSpan? RetryAfter { get; }
        }
    }
}
