namespace DPoP.Http;

/// <summary>Reads a response's <c>DPoP-Nonce</c> header (RFC 9449 §8.1).</summary>
internal static class DPoPNonceHeader
{
    /// <summary>The response's nonce when it has exactly one valid value (repeats of it allowed), or null with the reason it was ignored.</summary>
    public static string? Read(HttpResponseMessage response, out string? rejection)
    {
        rejection = null;
        if (!response.Headers.NonValidated.TryGetValues(DPoPHeaders.Nonce, out var values))
        {
            return null;
        }

        string? nonce = null;
        foreach (var value in values)
        {
            if (nonce is not null && !string.Equals(nonce, value, StringComparison.Ordinal))
            {
                rejection = "several different values";
                return null;
            }

            nonce = value;
        }

        if (nonce is null || !DPoPSyntax.IsNonce(nonce))
        {
            rejection = nonce is { Length: > DPoPSyntax.MaxNonceLength } ? $"longer than {DPoPSyntax.MaxNonceLength} characters" : "not 1*NQCHAR (RFC 9449 §8.1)";
            return null;
        }

        return nonce;
    }
}
