using System;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace D365CustomerSync.Client
{
    /// <summary>Idempotency-Keys a POS flow can rebuild after a timeout, a crash or a cashier's retry.</summary>
    public static class IdempotencyKeys
    {
        private static readonly Regex Plain = new Regex("^[A-Za-z0-9._:-]{1,180}$", RegexOptions.CultureInvariant);

        /// <summary>A new random key (a UUID).</summary>
        public static string New() => Guid.NewGuid().ToString();

        /// <summary>
        /// <c>cart:{cartId}:{hash of the body}</c>: the same customer sent again for the same cart
        /// (the cashier presses Save twice, the CRT call timed out, Store Commerce restarted) is the
        /// same request, so one customer; a corrected form (another body) is a new request rather
        /// than a 422 for a reused key.
        /// </summary>
        public static string ForCart(string cartId, CustomerRequest body)
        {
            if (string.IsNullOrEmpty(cartId)) throw new ArgumentException("A cart ID is needed.", nameof(cartId));
            if (body == null) throw new ArgumentNullException(nameof(body));
            var bodyHash = Sha256Hex(Json.Serialize(body)).Substring(0, 32);
            var cart = Plain.IsMatch(cartId) ? cartId : "sha256-" + Sha256Hex(cartId).Substring(0, 40);
            return $"cart:{cart}:{bodyHash}";
        }

        private static string Sha256Hex(string text)
        {
            using (var sha = SHA256.Create())
            {
                var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
                var hex = new StringBuilder(hash.Length * 2);
                foreach (var b in hash) hex.Append(b.ToString("x2"));
                return hex.ToString();
            }
        }
    }
}
