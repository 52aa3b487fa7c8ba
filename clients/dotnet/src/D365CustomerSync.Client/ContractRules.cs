using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;

namespace D365CustomerSync.Client
{
    /// <summary>
    /// One text field's rule from the OpenAPI request schema: its <c>pattern</c>, whether it is
    /// required, and the raw length the API refuses unread (<c>maxLength</c>, in characters as JSON
    /// Schema counts them: Unicode code points).
    /// </summary>
    public sealed class FieldRule
    {
        private readonly Lazy<Regex> _regex;

        /// <summary>Creates one (ContractRules.g.cs holds them all).</summary>
        public FieldRule(string pattern, bool required, int maxLength, string help)
        {
            Pattern = pattern;
            Required = required;
            MaxLength = maxLength;
            Help = help;
            _regex = new Lazy<Regex>(() => new Regex(pattern, RegexOptions.CultureInvariant));
        }

        /// <summary>The JSON Schema <c>pattern</c> (the same expression the API tests).</summary>
        public string Pattern { get; }

        /// <summary>Whether <c>POST /customers</c> requires the field.</summary>
        public bool Required { get; }

        /// <summary>The longest value the API reads at all.</summary>
        public int MaxLength { get; }

        /// <summary>What the field must be (the schema description's first sentence).</summary>
        public string Help { get; }

        /// <summary>Whether the API's rule accepts <paramref name="value"/>.</summary>
        public bool Accepts(string value) => CodePoints(value) <= MaxLength && _regex.Value.IsMatch(value);

        private static int CodePoints(string text)
        {
            var count = 0;
            for (var i = 0; i < text.Length; i++, count++)
                if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            return count;
        }
    }

    /// <summary>
    /// Checks a customer with the API's own field rules before it is sent (the generated
    /// <c>ContractRules.g.cs</c>, from the OpenAPI document): an invalid e-mail address, country,
    /// currency, phone number or date costs no round trip. The API checks again, including what no
    /// pattern says (one primary address per list, a date not in the future).
    /// </summary>
    public static partial class ContractRules
    {
        /// <summary>What is wrong with the request's fields, with the JSON Pointers the API would name; empty when none.</summary>
        public static IReadOnlyList<FieldError> Check(CustomerRequest request)
        {
            var errors = new List<FieldError>();
            if (request?.Customer == null)
            {
                errors.Add(new FieldError { Pointer = "/Customer", Detail = "Customer is required." });
                return errors;
            }
            CheckCustomer(JObject.Parse(Json.Serialize(request.Customer)), patch: false, errors);
            return errors;
        }

        /// <summary>The same for a patch: only the members it sends; a required field may not be removed.</summary>
        public static IReadOnlyList<FieldError> Check(CustomerPatch patch)
        {
            var errors = new List<FieldError>();
            if (patch == null) throw new ArgumentNullException(nameof(patch));
            CheckCustomer(patch.Customer, patch: true, errors);
            return errors;
        }

        private static void CheckCustomer(JObject customer, bool patch, List<FieldError> errors)
        {
            CheckFields(customer, Customer, "/Customer", patch, errors);
            // A customer needs an e-mail or a phone (issue 32): how the duplicate policy finds it.
            var organisation = string.Equals((string)customer["PartyType"], "Organization", StringComparison.OrdinalIgnoreCase);
            if (!patch && !organisation && IsBlank(customer["EmailAddress"]) && IsBlank(customer["ContactNumber"]))
                errors.Add(new FieldError { Pointer = "/Customer/EmailAddress", Detail = "EmailAddress is required when there is no ContactNumber: a customer needs an e-mail address or a phone number (how duplicates are found)." });
            foreach (var list in Addresses)
            {
                if (!(customer[list.Key] is JArray addresses)) continue;
                if (addresses.Count > MaxAddresses)
                    errors.Add(new FieldError { Pointer = $"/Customer/{list.Key}", Detail = $"{list.Key} may hold at most {MaxAddresses} addresses." });
                for (var i = 0; i < addresses.Count; i++)
                {
                    if (addresses[i] is JObject address) CheckFields(address, list.Value, $"/Customer/{list.Key}/{i}", false, errors);
                    else errors.Add(new FieldError { Pointer = $"/Customer/{list.Key}/{i}", Detail = $"Each item of {list.Key} must be an address." });
                }
            }
        }

        private static bool IsBlank(JToken value) =>
            value == null || value.Type == JTokenType.Null || (value.Type == JTokenType.String && string.IsNullOrWhiteSpace((string)value));

        private static void CheckFields(JObject json, IReadOnlyDictionary<string, FieldRule> fields, string pointer, bool patch, List<FieldError> errors)
        {
            foreach (var field in fields)
            {
                var value = json[field.Key];
                var at = $"{pointer}/{field.Key}";
                if (value == null || value.Type == JTokenType.Null)
                {
                    // A patch leaves out what it does not change; it may not remove (null) a required field.
                    if (field.Value.Required && (!patch || value != null))
                        errors.Add(new FieldError { Pointer = at, Detail = $"{field.Key} is required." });
                }
                else if (!field.Value.Accepts((string)value))
                {
                    errors.Add(new FieldError { Pointer = at, Detail = $"{field.Key} is not valid: {field.Value.Help}" });
                }
            }
        }

        /// <summary>The problem the API would answer for <paramref name="errors"/> (<c>invalid-request</c>), found before sending.</summary>
        internal static Problem LocalProblem(IReadOnlyList<FieldError> errors) => new Problem
        {
            Type = ProblemTypes.InvalidRequest,
            Title = "The request is not a valid customer",
            Status = 400,
            Detail = $"{errors.Count} field{(errors.Count == 1 ? "" : "s")} must be corrected (checked before sending): see errors.",
            Errors = new List<FieldError>(errors),
        };
    }
}
