namespace DPoP.Http.Internal;

/// <summary>Reads a response's <c>DPoP-Nonce</c> header (RFC 9449 §8.1) and keeps it in the client's nonce store.</summary>
internal static class DPoPNonceHeader
{
    /// <summary>The nonce stored for the origin of <paramref name="uri"/>, when it is valid.</summary>
    public static string? GetStored(DPoPHandlerContext context, Uri uri)
    {
        var nonce = context.NonceStore.GetNonce(uri);

        // A custom store could hand back anything; only a valid nonce goes into a proof.
        return nonce is not null && DPoPSyntax.IsNonce(nonce) ? nonce : null;
    }

    /// <summary>
    /// Hands the store every valid nonce, a repeat of the one just sent included (RFC 9449 §8.2: it is still the
    /// server's current nonce, so a store with a lifetime restarts it).
    /// </summary>
    public static void Store(DPoPHandlerContext context, Uri uri, HttpResponseMessage response, string? sentNonce)
    {
        var nonce = Read(response, out var rejection);
        if (nonce is not null)
        {
            context.NonceStore.SetNonce(uri, nonce);
            if (!string.Equals(sentNonce, nonce, StringComparison.Ordinal))
            {
                DPoPHandlerLog.NonceStored(context.Logger, context.ClientName, new LoggedOrigin(uri));
            }
        }
        else if (rejection is not null)
        {
            context.Metrics.InvalidNonces.Add(1, context.ClientTag);
            DPoPHandlerLog.InvalidNonceIgnored(context.Logger, context.ClientName, new LoggedOrigin(uri), rejection);
        }
    }

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
