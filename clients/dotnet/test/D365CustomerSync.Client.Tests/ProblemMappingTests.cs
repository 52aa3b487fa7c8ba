using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace D365CustomerSync.Client.Tests
{
    /// <summary>Answers the stack cannot be made to give on demand, from a stub handler (no sockets).</summary>
    public sealed class ProblemMappingTests
    {
        private sealed class Stub : HttpMessageHandler
        {
            private readonly Func<HttpRequestMessage, HttpResponseMessage> _answer;
            public readonly List<HttpRequestMessage> Requests = new List<HttpRequestMessage>();
            public Stub(Func<HttpRequestMessage, HttpResponseMessage> answer) => _answer = answer;

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                Requests.Add(request);
                return Task.FromResult(_answer(request));
            }
        }

        private static HttpResponseMessage ProblemAnswer(int status, string type, string extra = "", int? retryAfter = null)
        {
            var response = new HttpResponseMessage((HttpStatusCode)status)
            {
                Content = new StringContent(
                    $"{{\"type\":\"{type}\",\"title\":\"t\",\"status\":{status},\"detail\":\"d\"{extra}}}",
                    System.Text.Encoding.UTF8, "application/problem+json"),
            };
            if (retryAfter.HasValue) response.Headers.TryAddWithoutValidation("Retry-After", retryAfter.Value.ToString());
            return response;
        }

        private static CustomerSyncClient Client(Stub stub, int maxAttempts = 2) =>
            new CustomerSyncClient(
                new CustomerSyncClientOptions { BaseUrl = new Uri("http://127.0.0.1:9/api"), MaxAttempts = maxAttempts, MaxDelay = TimeSpan.FromMilliseconds(50) },
                new HttpClient(stub));

        public static IEnumerable<object[]> Finals() => new[]
        {
            new object[] { 400, ProblemTypes.InvalidRequest, typeof(CustomerValidationException) },
            new object[] { 400, ProblemTypes.InvalidHeader, typeof(CustomerValidationException) },
            new object[] { 415, ProblemTypes.UnsupportedMediaType, typeof(CustomerValidationException) },
            new object[] { 413, ProblemTypes.BodyTooLarge, typeof(CustomerValidationException) },
            new object[] { 409, ProblemTypes.Duplicate, typeof(DuplicateCustomerException) },
            new object[] { 422, ProblemTypes.IdempotencyKeyReused, typeof(IdempotencyKeyReusedException) },
            new object[] { 403, ProblemTypes.Forbidden, typeof(CustomerSyncAuthenticationException) },
            new object[] { 409, ProblemTypes.ReferenceInUse, typeof(ReferenceInUseException) },
        };

        [Theory]
        [MemberData(nameof(Finals))]
        public async Task A_final_problem_is_thrown_as_its_type_without_a_retry(int status, string type, Type expected)
        {
            var stub = new Stub(_ => ProblemAnswer(status, type));
            var error = await Assert.ThrowsAnyAsync<CustomerSyncException>(() => Client(stub).CreateCustomerAsync(Customers.New()));
            Assert.IsType(expected, error);
            Assert.Single(stub.Requests);
        }

        [Fact]
        public async Task A_failed_request_carries_its_failure_code()
        {
            var stub = new Stub(_ => ProblemAnswer(503, ProblemTypes.RetriesExhausted, ",\"code\":\"retries_exhausted\",\"correlationId\":\"6f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a\""));
            var error = await Assert.ThrowsAsync<CustomerFailedException>(() => Client(stub).CreateCustomerAsync(Customers.New()));
            Assert.Equal(FailureCodes.RetriesExhausted, error.Code);
            Assert.Equal("6f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a", error.CorrelationId);
        }

        [Theory]
        [InlineData(429, ProblemTypes.RateLimited)]
        [InlineData(503, ProblemTypes.TemporarilyUnavailable)]
        [InlineData(409, ProblemTypes.IdempotencyKeyInProgress)]
        public async Task A_transient_problem_is_sent_again_with_the_same_key_then_thrown(int status, string type)
        {
            var stub = new Stub(_ => ProblemAnswer(status, type, retryAfter: 1));
            var error = await Assert.ThrowsAnyAsync<CustomerSyncException>(() => Client(stub, maxAttempts: 3).CreateCustomerAsync(Customers.New()));
            Assert.Equal(status, error.Status);
            Assert.Equal(3, stub.Requests.Count);
            Assert.Single(stub.Requests.Select(r => r.Headers.GetValues("Idempotency-Key").Single()).Distinct());
            if (status == 429) Assert.Equal(TimeSpan.FromSeconds(1), ((ThrottledException)error).RetryAfter);
        }

        [Fact]
        public async Task A_gateway_page_is_unavailability_and_is_retried()
        {
            var stub = new Stub(_ => new HttpResponseMessage(HttpStatusCode.BadGateway) { Content = new StringContent("<html>502</html>", System.Text.Encoding.UTF8, "text/html") });
            await Assert.ThrowsAsync<ServiceUnavailableException>(() => Client(stub).CreateCustomerAsync(Customers.New()));
            Assert.Equal(2, stub.Requests.Count);
        }

        [Fact]
        public async Task Polling_ends_at_needs_review_with_account_not_found_and_never_resends_the_create()
        {
            const string id = "6f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a";
            var stub = new Stub(request =>
            {
                var json = request.Method == HttpMethod.Post
                    ? $"{{\"correlationId\":\"{id}\",\"status\":\"queued\",\"statusUrl\":\"http://127.0.0.1:9/api/customers/status/{id}\"}}"
                    : $"{{\"correlationId\":\"{id}\",\"status\":\"needs_review\",\"legalEntity\":\"USRT\",\"error\":{{\"code\":\"account_not_found\",\"message\":\"m\"}},\"attempts\":1,\"createdAt\":\"2026-11-26T18:00:00.000Z\",\"updatedAt\":\"2026-11-26T18:00:00.412Z\"}}";
                return new HttpResponseMessage(request.Method == HttpMethod.Post ? HttpStatusCode.Accepted : HttpStatusCode.OK)
                {
                    Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
                };
            });
            var error = await Assert.ThrowsAsync<CustomerFailedException>(() => Client(stub).CreateCustomerAsync(Customers.New()));
            Assert.Equal(FailureCodes.AccountNotFound, error.Code);
            Assert.Equal(id, error.CorrelationId);
            Assert.Single(stub.Requests, r => r.Method == HttpMethod.Post);
        }

        [Fact]
        public async Task A_create_linked_by_an_unverified_identity_is_a_VerificationPendingException_without_the_account()
        {
            const string id = "6f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a";
            var stub = new Stub(_ => new HttpResponseMessage(HttpStatusCode.Created)
            {
                Content = new StringContent(
                    $"{{\"correlationId\":\"{id}\",\"status\":\"succeeded\",\"legalEntity\":\"USRT\",\"outcome\":\"linked\",\"verification\":\"pending\",\"attempts\":1,\"createdAt\":\"2026-11-26T18:00:00.000Z\",\"updatedAt\":\"2026-11-26T18:00:00.412Z\"}}",
                    System.Text.Encoding.UTF8, "application/json"),
            });
            var error = await Assert.ThrowsAsync<VerificationPendingException>(() => Client(stub).CreateCustomerAsync(Customers.New()));
            Assert.Equal(id, error.CorrelationId);
        }

        [Fact]
        public async Task Callback_secrets_are_read_for_the_caller()
        {
            var stub = new Stub(_ => new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("{\"secrets\":[\"whsec_AAAA\",\"whsec_BBBB\"]}", System.Text.Encoding.UTF8, "application/json"),
            });
            Assert.Equal(new[] { "whsec_AAAA", "whsec_BBBB" }, await Client(stub).GetCallbackSecretsAsync());
            Assert.EndsWith("/api/callbacks/secret", stub.Requests.Single().RequestUri.AbsolutePath);
        }

        [Fact]
        public async Task An_invalid_email_or_country_is_refused_before_sending_with_the_APIs_pointers()
        {
            // The README's invalid example: an e-mail without @ and a 2-letter country code.
            var stub = new Stub(_ => throw new InvalidOperationException("nothing should be sent"));
            var body = Customers.New();
            body.Customer.EmailAddress = "abc1234.gmail.com";
            body.Customer.BillingAddress[0].CountryCode = "US";
            var error = await Assert.ThrowsAsync<CustomerValidationException>(() => Client(stub).CreateCustomerAsync(body));
            Assert.Equal(new[] { "/Customer/EmailAddress", "/Customer/BillingAddress/0/CountryCode" }, error.FieldErrors.Select(e => e.Pointer));
            Assert.Equal(ProblemTypes.InvalidRequest, error.Problem.Type);
            Assert.Empty(stub.Requests);
        }

        [Theory]
        [InlineData("usa", true)]
        [InlineData(" DEU ", true)]
        [InlineData("US", false)]
        [InlineData("840", false)]
        [InlineData("XYZ", false)]
        public void The_country_rule_is_the_APIs(string code, bool valid)
        {
            var body = Customers.New();
            body.Customer.BillingAddress[0].CountryCode = code;
            Assert.Equal(valid, ContractRules.Check(body).Count == 0);
        }

        [Theory]
        [InlineData("a.b+c@example.co.uk", true)]
        [InlineData("o'neil@xn--bcher-kva.de", true)]
        [InlineData("a@bücher.de", true)]
        [InlineData("a@b", false)]
        [InlineData("a b@example.com", false)]
        [InlineData("a@example.com.", false)]
        public void The_email_rule_is_the_APIs(string email, bool valid)
        {
            var body = Customers.New();
            body.Customer.EmailAddress = email;
            Assert.Equal(valid, ContractRules.Check(body).Count == 0);
        }

        [Fact]
        public void A_customer_needs_an_email_or_a_phone()
        {
            var phoneOnly = Customers.New();
            phoneOnly.Customer.EmailAddress = null;
            phoneOnly.Customer.ContactNumber = "(425) 555-0100";
            Assert.Empty(ContractRules.Check(phoneOnly));
            phoneOnly.Customer.ContactNumber = null;
            Assert.Equal(new[] { "/Customer/EmailAddress" }, ContractRules.Check(phoneOnly).Select(e => e.Pointer));
        }

        [Fact]
        public async Task Checking_before_sending_can_be_turned_off()
        {
            var stub = new Stub(_ => ProblemAnswer(400, ProblemTypes.InvalidRequest, ",\"errors\":[{\"pointer\":\"/Customer/EmailAddress\",\"detail\":\"d\"}]"));
            var client = new CustomerSyncClient(
                new CustomerSyncClientOptions { BaseUrl = new Uri("http://127.0.0.1:9/api"), ValidateBeforeSending = false },
                new HttpClient(stub));
            var body = Customers.New();
            body.Customer.EmailAddress = "abc1234.gmail.com";
            await Assert.ThrowsAsync<CustomerValidationException>(() => client.CreateCustomerAsync(body));
            Assert.Single(stub.Requests);
        }

        [Fact]
        public void Cart_keys_are_stable_per_cart_and_body_and_valid_header_values()
        {
            var body = Customers.New();
            var key = IdempotencyKeys.ForCart("STORE01-TERM02-0000123", body);
            Assert.Equal(key, IdempotencyKeys.ForCart("STORE01-TERM02-0000123", body));
            Assert.NotEqual(key, IdempotencyKeys.ForCart("STORE01-TERM02-0000124", body));
            var corrected = Customers.New();
            Assert.NotEqual(key, IdempotencyKeys.ForCart("STORE01-TERM02-0000123", corrected));
            Assert.Matches("^[\\x21\\x23-\\x5b\\x5d-\\x7e]{1,255}$", IdempotencyKeys.ForCart("cart with spaces \"and quotes\"", body));
        }
    }
}
