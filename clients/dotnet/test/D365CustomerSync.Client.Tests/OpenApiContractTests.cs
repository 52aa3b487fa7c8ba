using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Xunit;

namespace D365CustomerSync.Client.Tests
{
    /// <summary>The C# types against docs/openapi.json: property names, required-ness, JSON types and enums.</summary>
    public sealed class OpenApiContractTests
    {
        private static readonly JObject Document = JObject.Parse(File.ReadAllText(Path.Combine(Repo.Root, "docs", "openapi.json")));
        private static JObject Schemas => (JObject)Document["components"]["schemas"];

        private static JObject Resolve(JToken schema)
        {
            var reference = schema.Value<string>("$ref");
            if (reference == null) return (JObject)schema;
            return (JObject)Document.SelectToken("$." + string.Join(".", reference.TrimStart('#', '/').Split('/').Select(p => $"['{p}']")));
        }

        public static IEnumerable<object[]> Pairs() => new[]
        {
            new object[] { typeof(CustomerRequest), "CustomerRequest" },
            new object[] { typeof(CustomerDetails), "CustomerRequest.Customer" },
            new object[] { typeof(CustomerAddress), "CustomerRequest.Customer.BillingAddress[]" },
            new object[] { typeof(CustomerAddress), "CustomerRequest.Customer.ShippingAddress[]" },
            new object[] { typeof(StatusAnswer), "StatusAnswer" },
            new object[] { typeof(StatusError), "StatusAnswer.error" },
            new object[] { typeof(StatusAddresses), "StatusAnswer.addresses" },
            new object[] { typeof(StatusWriteBack), "StatusAnswer.writeBack" },
            new object[] { typeof(StatusError), "StatusAnswer.writeBack.error" },
            new object[] { typeof(Accepted), "Accepted" },
            new object[] { typeof(Problem), "Problem" },
            new object[] { typeof(FieldError), "FieldError" },
            new object[] { typeof(CallbackSecrets), "CallbackSecrets" },
            new object[] { typeof(PrivacyRequest), "PrivacyRequest" },
            new object[] { typeof(PrivacyAnswer), "PrivacyAnswer" },
            new object[] { typeof(PrivacyD365Outcome), "PrivacyAnswer.d365[]" },
            new object[] { typeof(PrivacyFetch), "PrivacyAnswer.fetches[]" },
            new object[] { typeof(StatusError), "PrivacyAnswer.error" },
            new object[] { typeof(PrivacyExport), "PrivacyExport" },
            new object[] { typeof(PrivacyExportedRequest), "PrivacyExport.requests[]" },
            new object[] { typeof(PrivacyExportedLink), "PrivacyExport.links[]" },
            // The operations API (issue 31).
            new object[] { typeof(RequestPage), "RequestPage" },
            new object[] { typeof(RequestCounts), "RequestPage.counts" },
            new object[] { typeof(ListedRequest), "ListedRequest" },
            new object[] { typeof(ReplayJob), "ReplayJob" },
            new object[] { typeof(ReplayCounts), "ReplayJob.counts" },
            new object[] { typeof(ReplayJobList), "ReplayJobList" },
            new object[] { typeof(ReplayFilter), "ReplayBody.filter" },
        };

        /// <summary><c>A.b.c[]</c>: schema A, its property b, its property c, the items.</summary>
        private static JObject Schema(string path)
        {
            var parts = path.Split('.');
            var schema = Resolve(Schemas[parts[0]]);
            foreach (var part in parts.Skip(1))
            {
                var items = part.EndsWith("[]");
                schema = Resolve(schema["properties"][items ? part.Substring(0, part.Length - 2) : part]);
                if (items) schema = Resolve(schema["items"]);
            }
            return schema;
        }

        private static IEnumerable<(PropertyInfo Property, JsonPropertyAttribute Json)> JsonProperties(Type type) =>
            type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Select(p => (p, p.GetCustomAttribute<JsonPropertyAttribute>()))
                .Where(x => x.Item2 != null);

        [Theory]
        [MemberData(nameof(Pairs))]
        public void Property_names_match_the_schema(Type type, string schemaPath)
        {
            var schema = Schema(schemaPath);
            var expected = ((JObject)schema["properties"]).Properties().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal);
            var actual = JsonProperties(type).Select(x => x.Json.PropertyName).OrderBy(n => n, StringComparer.Ordinal);
            Assert.Equal(expected, actual);
            Assert.False(schema.Value<bool?>("additionalProperties") ?? true, $"{schemaPath} allows other properties");
        }

        [Theory]
        [MemberData(nameof(Pairs))]
        public void Required_properties_match_the_schema(Type type, string schemaPath)
        {
            var schema = Schema(schemaPath);
            var expected = (schema["required"] as JArray ?? new JArray()).Select(t => (string)t).OrderBy(n => n, StringComparer.Ordinal);
            var actual = JsonProperties(type).Where(x => x.Json.Required == Required.Always).Select(x => x.Json.PropertyName)
                .OrderBy(n => n, StringComparer.Ordinal);
            Assert.Equal(expected, actual);
        }

        [Theory]
        [MemberData(nameof(Pairs))]
        public void Property_types_fit_the_schema(Type type, string schemaPath)
        {
            var properties = (JObject)Schema(schemaPath)["properties"];
            foreach (var (property, json) in JsonProperties(type))
            {
                var schema = Resolve(properties[json.PropertyName]);
                var types = schema["type"] is JArray many ? many.Select(t => (string)t).ToArray() : new[] { (string)schema["type"] ?? "any" };
                var main = types.First(t => t != "null");
                var clr = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                var fits = main switch
                {
                    "string" when (string)schema["format"] == "date-time" => clr == typeof(DateTimeOffset),
                    "string" => clr == typeof(string),
                    "integer" => clr == typeof(int),
                    "boolean" => clr == typeof(bool),
                    // A member of any JSON (the export's stored request): kept as parsed JSON.
                    "any" => clr == typeof(JToken),
                    "array" => clr.IsGenericType && clr.GetGenericTypeDefinition() == typeof(List<>),
                    "object" => clr.IsClass && clr != typeof(string),
                    _ => false,
                };
                Assert.True(fits, $"{schemaPath}.{json.PropertyName}: {main} is not {clr.Name}");
            }
        }

        [Fact]
        public void Status_failure_code_and_problem_type_values_match_the_enums()
        {
            Assert.Equal(Schemas["Status"]["enum"].Select(t => (string)t), RequestStatus.All);
            Assert.Equal(Schemas["FailureCode"]["enum"].Select(t => (string)t), FailureCodes.All);
            Assert.Equal(Schemas["Problem"]["properties"]["type"]["enum"].Select(t => (string)t), ProblemTypes.All);
        }

        public static IEnumerable<object[]> RuleSets() => new[]
        {
            new object[] { "CustomerRequest.Customer", "Customer" },
            new object[] { "CustomerRequest.Customer.BillingAddress[]", "BillingAddress" },
            new object[] { "CustomerRequest.Customer.ShippingAddress[]", "ShippingAddress" },
        };

        [Theory]
        [MemberData(nameof(RuleSets))]
        public void The_field_rules_checked_before_sending_are_the_documents(string schemaPath, string set)
        {
            var schema = Schema(schemaPath);
            var rules = set == "Customer" ? ContractRules.Customer : ContractRules.Addresses[set];
            var required = (schema["required"] as JArray ?? new JArray()).Select(t => (string)t).ToList();
            var withPattern = ((JObject)schema["properties"]).Properties().Where(p => p.Value["pattern"] != null).ToList();
            Assert.Equal(withPattern.Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal), rules.Keys.OrderBy(n => n, StringComparer.Ordinal));
            foreach (var property in withPattern)
            {
                var rule = rules[property.Name];
                Assert.Equal((string)property.Value["pattern"], rule.Pattern);
                Assert.Equal((int)property.Value["maxLength"], rule.MaxLength);
                Assert.Equal(required.Contains(property.Name), rule.Required);
                // .NET reads the ECMA-262 pattern the same way for the document's own examples.
                foreach (var example in property.Value["examples"] as JArray ?? new JArray())
                    Assert.True(rule.Accepts((string)example), $"{property.Name}: {example}");
            }
        }

        [Fact]
        public void The_request_body_sends_no_nulls_for_absent_optional_fields()
        {
            var body = Customers.New();
            body.Customer.MiddleName = null;
            var json = JObject.Parse(JsonConvert.SerializeObject(body));
            Assert.Null(json["Customer"]["MiddleName"]);
            Assert.Equal(body.Customer.EmailAddress, (string)json["Customer"]["EmailAddress"]);
        }
    }
}
