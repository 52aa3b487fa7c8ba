using System;
using System.Linq;
using System.Net.Http;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace D365CustomerSync.Client.Tests
{
    /// <summary>The .NET client against the real local stack (the same cases as test/client/client.test.ts).</summary>
    public sealed class ClientTests : IClassFixture<DefaultStack>, IAsyncLifetime
    {
        private static readonly Regex Account = new Regex(@"^US-\d{6}$");
        private readonly DefaultStack _stack;
        private readonly Recorder _wire = new Recorder();

        public ClientTests(DefaultStack stack) => _stack = stack;

        public Task InitializeAsync() => _stack.EmulatorAsync("DELETE", "/_emulator/faults");

        public async Task DisposeAsync() => await _stack.EmulatorAsync("DELETE", "/_emulator/faults");

        private CustomerSyncClient Client(Action<CustomerSyncClientOptions> configure = null)
        {
            var options = new CustomerSyncClientOptions { BaseUrl = _stack.ApiUrl };
            configure?.Invoke(options);
            return new CustomerSyncClient(options, new HttpClient(_wire) { Timeout = Timeout.InfiniteTimeSpan });
        }

        /// <summary>D365 answers slowly: every D365 call of the next <paramref name="count"/> takes <paramref name="ms"/>.</summary>
        private Task SlowD365(int ms, int count = 1) =>
            _stack.EmulatorAsync("POST", "/_emulator/faults", new { service = "d365", latencyMs = ms, count });

        [Fact]
        public async Task Create_with_wait_returns_the_account_in_one_round_trip()
        {
            var body = Customers.New();
            var created = await Client().CreateCustomerAsync(body);

            Assert.Equal(RequestStatus.Succeeded, created.Status);
            Assert.Equal("created", created.Outcome);
            Assert.Equal("USRT", created.LegalEntity);
            Assert.Matches(Account, created.CustomerAccount);
            Assert.True(Guid.TryParse(created.IdempotencyKey, out _));
            var post = Assert.Single(_wire.Exchanges);
            Assert.Equal(201, post.Status);
            Assert.Equal("wait=10", post.Header("Prefer"));
            Assert.Equal(created.IdempotencyKey, post.Header("Idempotency-Key"));
            Assert.Equal(1, await _stack.CustomersWithEmailAsync(body.Customer.EmailAddress));
        }

        [Fact]
        public async Task Falls_back_to_polling_the_status_url_when_the_wait_expires()
        {
            await SlowD365(4000);
            var body = Customers.New();
            var created = await Client().CreateCustomerAsync(body, new CreateCustomerOptions { WaitSeconds = 1 });

            Assert.Matches(Account, created.CustomerAccount);
            var exchanges = _wire.Exchanges;
            Assert.Equal(202, exchanges[0].Status);
            var polls = exchanges.Skip(1).ToList();
            Assert.NotEmpty(polls);
            Assert.All(polls, p => Assert.Equal("GET", p.Method));
            Assert.All(polls, p => Assert.Contains("/api/customers/status/" + created.CorrelationId, p.Url));
            Assert.Equal(1, await _stack.CustomersWithEmailAsync(body.Customer.EmailAddress));
        }

        [Fact]
        public async Task Replay_after_a_timeout_with_the_same_key_gives_the_same_request_and_one_customer()
        {
            await SlowD365(5000);
            var body = Customers.New();
            var impatient = Client(o => o.Timeout = TimeSpan.FromMilliseconds(500));
            var pending = await Assert.ThrowsAsync<PendingTimeoutException>(
                () => impatient.CreateCustomerAsync(body, new CreateCustomerOptions { WaitSeconds = 1 }));
            Assert.Contains("/api/customers/status/" + pending.CorrelationId, pending.StatusUrl);

            // The cashier (or the CRT) sends it again with the same key.
            var created = await Client().CreateCustomerAsync(body, new CreateCustomerOptions { IdempotencyKey = pending.IdempotencyKey });

            Assert.Equal(pending.CorrelationId, created.CorrelationId);
            Assert.Matches(Account, created.CustomerAccount);
            Assert.Equal("true", _wire.Posts.Last().ResponseHeader("Idempotent-Replayed"));
            Assert.Equal(1, await _stack.CustomersWithEmailAsync(body.Customer.EmailAddress));
        }

        [Fact]
        public async Task An_abandoned_send_is_sent_again_with_the_same_key_and_makes_one_customer()
        {
            await SlowD365(3000);
            var body = Customers.New();
            var client = Client(o => o.AttemptTimeout = TimeSpan.FromSeconds(1));
            var created = await client.CreateCustomerAsync(body, new CreateCustomerOptions { WaitSeconds = 5 });

            Assert.Matches(Account, created.CustomerAccount);
            var posts = _wire.Posts;
            Assert.True(posts.Count >= 2, $"expected a resend, saw {posts.Count} POST(s)");
            Assert.Single(posts.Select(p => p.Header("Idempotency-Key")).Distinct());
            Assert.Equal(1, await _stack.CustomersWithEmailAsync(body.Customer.EmailAddress));
        }

        [Fact]
        public async Task Validation_errors_point_at_the_fields_and_nothing_is_stored()
        {
            var body = Customers.New();
            body.Customer.EmailAddress = "not-an-email";
            body.Customer.BillingAddress[0].CountryCode = "US";

            // Checked before sending (the document's patterns), then by the API itself: the same answer.
            var local = await Assert.ThrowsAsync<CustomerValidationException>(() => Client().CreateCustomerAsync(body));
            Assert.Empty(_wire.Exchanges);
            var remote = await Assert.ThrowsAsync<CustomerValidationException>(
                () => Client(o => o.ValidateBeforeSending = false).CreateCustomerAsync(body));
            Assert.Single(_wire.Exchanges); // a 400 is final: not retried

            foreach (var error in new[] { local, remote })
            {
                Assert.Equal(400, error.Status);
                Assert.Equal(ProblemTypes.InvalidRequest, error.Problem.Type);
                Assert.Equal(
                    new[] { "/Customer/BillingAddress/0/CountryCode", "/Customer/EmailAddress" },
                    error.FieldErrors.Select(e => e.Pointer).OrderBy(p => p, StringComparer.Ordinal).ToArray());
            }
            Assert.Equal(0, await _stack.CustomersWithEmailAsync("not-an-email"));
        }

        [Fact]
        public async Task An_existing_customer_is_a_DuplicateCustomerException_waiting_or_polling()
        {
            var body = Customers.New();
            var first = await Client().CreateCustomerAsync(body);

            var waiting = await Assert.ThrowsAsync<DuplicateCustomerException>(() => Client().CreateCustomerAsync(body));
            var polling = await Assert.ThrowsAsync<DuplicateCustomerException>(
                () => Client().CreateCustomerAsync(body, new CreateCustomerOptions { WaitSeconds = 0 }));
            Assert.Equal(new[] { first.CustomerAccount }, waiting.ExistingAccounts);
            Assert.Equal(new[] { first.CustomerAccount }, polling.ExistingAccounts);
            Assert.Equal(1, await _stack.CustomersWithEmailAsync(body.Customer.EmailAddress));
        }

        [Fact]
        public async Task Updates_a_customer_by_reference_and_by_account_waiting_or_polling_sending_D365_only_the_changes()
        {
            var reference = "POS-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            var created = await Client().CreateCustomerAsync(Customers.New(), new CreateCustomerOptions { Reference = reference });
            Assert.Equal(reference, created.SourceCustomerId);

            var byReference = await Client().UpdateCustomerByReferenceAsync(
                reference, new CustomerPatch().Set("ContactNumber", "+14255550112"));
            Assert.Equal("update", byReference.Kind);
            Assert.Equal(RequestStatus.Succeeded, byReference.Status);
            Assert.Equal("updated", byReference.Outcome);
            Assert.Equal(created.CustomerAccount, byReference.CustomerAccount);
            var patch = _wire.Exchanges.Last();
            Assert.Equal("PATCH", patch.Method);
            Assert.Equal(200, patch.Status);
            Assert.Equal(byReference.IdempotencyKey, patch.Header("Idempotency-Key"));

            var byAccount = await Client().UpdateCustomerByAccountAsync(
                "USRT", created.CustomerAccount, new CustomerPatch().Set("LastName", "Patched").Remove("MiddleName"),
                new UpdateCustomerOptions { WaitSeconds = 0, Version = 2 });
            Assert.Equal("updated", byAccount.Outcome);
            var d365 = await _stack.EmulatorAsync("GET", "/_emulator/customers/USRT/" + created.CustomerAccount);
            Assert.Equal("+14255550112", (string)d365["fields"]["PrimaryContactPhone"]);
            Assert.Equal("Patched", (string)d365["fields"]["PersonLastName"]);
        }

        [Fact]
        public async Task An_update_of_an_unknown_customer_is_CustomerNotFoundException_and_a_bad_patch_is_refused_before_sending()
        {
            await Assert.ThrowsAsync<CustomerNotFoundException>(
                () => Client().UpdateCustomerByReferenceAsync("nobody-here", new CustomerPatch().Set("FirstName", "X")));
            var before = _wire.Exchanges.Count;
            var invalid = await Assert.ThrowsAsync<CustomerValidationException>(
                () => Client().UpdateCustomerByAccountAsync("USRT", "US-000001", new CustomerPatch().Set("EmailAddress", "nope").Remove("FirstName")));
            Assert.Equal(new[] { "/Customer/FirstName", "/Customer/EmailAddress" }.OrderBy(p => p), invalid.FieldErrors.Select(e => e.Pointer).OrderBy(p => p));
            Assert.Equal(before, _wire.Exchanges.Count);
        }

        [Fact]
        public async Task A_D365_business_error_is_a_CustomerFailedException_with_its_code()
        {
            var body = Customers.New();
            body.Customer.CustomerGroup = "99";

            var error = await Assert.ThrowsAsync<CustomerFailedException>(() => Client().CreateCustomerAsync(body));

            Assert.Equal(FailureCodes.BusinessError, error.Code);
            Assert.Equal(422, error.Status);
            Assert.True(Guid.TryParse(error.CorrelationId, out _));
        }

        [Fact]
        public async Task A_cancelled_token_sends_nothing()
        {
            using (var cts = new CancellationTokenSource())
            {
                cts.Cancel();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(
                    () => Client().CreateCustomerAsync(Customers.New(), null, cts.Token));
            }
            Assert.Empty(_wire.Exchanges);
        }

        [Fact]
        public async Task Cancelling_while_polling_stops_at_once_and_the_same_key_later_returns_the_account()
        {
            await SlowD365(4000);
            var body = Customers.New();
            var key = IdempotencyKeys.ForCart("cart-0001-" + Guid.NewGuid().ToString("N"), body);
            using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(1500)))
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client().CreateCustomerAsync(
                    body, new CreateCustomerOptions { IdempotencyKey = key, WaitSeconds = 1 }, cts.Token));
            }
            Assert.Equal(202, _wire.Posts.Single().Status);

            // The request went on without the caller; the cashier's retry (same cart, same body) finds it.
            Assert.Equal(key, IdempotencyKeys.ForCart(key.Split(':')[1], body));
            var created = await Client().CreateCustomerAsync(body, new CreateCustomerOptions { IdempotencyKey = key });
            Assert.Matches(Account, created.CustomerAccount);
            Assert.Equal(1, await _stack.CustomersWithEmailAsync(body.Customer.EmailAddress));
        }

        [Fact]
        public async Task Sends_the_bearer_token_of_the_provider_on_every_call()
        {
            var calls = 0;
            var client = Client(o => o.TokenProvider = new DelegateAccessTokenProvider(_ =>
            {
                Interlocked.Increment(ref calls);
                return Task.FromResult("token-for-app-service-auth");
            }));
            await SlowD365(2500);
            await client.CreateCustomerAsync(Customers.New(), new CreateCustomerOptions { WaitSeconds = 1 });

            Assert.True(_wire.Exchanges.Count >= 2);
            Assert.All(_wire.Exchanges, e => Assert.Equal("Bearer token-for-app-service-auth", e.Header("Authorization")));
            Assert.Equal(_wire.Exchanges.Count, calls);
        }

        [Fact]
        public async Task Privacy_requests_an_export_of_what_is_held_then_the_erasure_its_proof_and_its_release()
        {
            var client = Client();
            var body = Customers.New();
            var created = await client.CreateCustomerAsync(body);

            var asked = await client.CreatePrivacyRequestAsync(PrivacyRequest.Export().WithEmail(body.Customer.EmailAddress));
            Assert.Equal("export", asked.Type);
            Assert.Equal("api", asked.Via);
            Assert.Equal(asked.ReceivedAt.AddDays(30), asked.DueAt);
            var exported = await client.WaitForPrivacyRequestAsync(asked.Id, TimeSpan.FromSeconds(60));
            Assert.Equal(RequestStatus.Succeeded, exported.Status);
            var copy = await client.GetPrivacyExportAsync(asked.Id);
            Assert.Equal(asked.Id, copy.RequestId);
            Assert.Equal(created.CustomerAccount, Assert.Single(copy.Links).CustomerAccount);

            // The same Idempotency-Key is the same request.
            var key = Guid.NewGuid().ToString();
            var erase = await client.CreatePrivacyRequestAsync(PrivacyRequest.Erase().WithEmail(body.Customer.EmailAddress), key);
            Assert.Equal(erase.Id, (await client.CreatePrivacyRequestAsync(PrivacyRequest.Erase().WithEmail(body.Customer.EmailAddress), key)).Id);
            var done = await client.WaitForPrivacyRequestAsync(erase.Id, TimeSpan.FromSeconds(90));
            Assert.Equal(RequestStatus.Succeeded, done.Status);
            Assert.False(done.PastDue);
            Assert.True(done.Erased["statusRecords"] >= 1);
            var d365 = Assert.Single(done.D365);
            Assert.Equal(("reported", created.CustomerAccount), (d365.Action, d365.CustomerAccount));
            Assert.Single((await client.GetPrivacyRequestAsync(asked.Id)).Fetches);
            Assert.NotNull((await client.ReleasePrivacyRequestAsync(erase.Id)).ReleasedAt);
        }
    }
}
