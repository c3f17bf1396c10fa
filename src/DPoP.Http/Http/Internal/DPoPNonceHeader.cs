namespace DPoP.Http.Internal;

/// <summary>Reads a response's <c>DPoP-Nonce</c> header (RFC 9449 §8.1) and keeps it in the client's nonce store.</summary>
internal static class DPoPNonceHeader
{
    /// <summary>
    /// The nonce stored for the origin of <paramref name="uri"/>, when it is valid. A store that completes
    /// synchronously (the in-memory one always does) costs no state machine, and the synchronous <c>Send</c> no wait.
    /// </summary>
    public static ValueTask<string?> GetStoredAsync(DPoPHandlerContext context, Uri uri, CancellationToken cancellationToken)
    {
        var pending = context.NonceStore.GetNonceAsync(uri, cancellationToken);
        return pending.IsCompletedSuccessfully ? new(ValidOrNull(pending.Result)) : AwaitStoredAsync(pending);

        static async ValueTask<string?> AwaitStoredAsync(ValueTask<string?> pending) => ValidOrNull(await pending.ConfigureAwait(false));
    }

    /// <summary>
    /// Hands the store every valid nonce, a repeat of the one just sent included (RFC 9449 §8.2: it is still the
    /// server's current nonce, so a store with a lifetime restarts it).
    /// </summary>
    public static ValueTask StoreAsync(DPoPHandlerContext context, Uri uri, HttpResponseMessage response, string? sentNonce, CancellationToken cancellationToken)
    {
        var nonce = Read(response, out var rejection);
        if (nonce is not null)
        {
            var pending = context.NonceStore.SetNonceAsync(uri, nonce, cancellationToken);
            if (!pending.IsCompletedSuccessfully)
            {
                return AwaitStoredAsync(pending, context, uri, nonce, sentNonce);
            }

            LogStored(context, uri, nonce, sentNonce);
        }
        else if (rejection is not null)
        {
            context.Metrics.InvalidNonces.Add(1, context.ClientTag);
            DPoPHandlerLog.InvalidNonceIgnored(context.Logger, context.ClientName, new LoggedOrigin(uri), rejection);
        }

        return default;

        static async ValueTask AwaitStoredAsync(ValueTask pending, DPoPHandlerContext context, Uri uri, string nonce, string? sentNonce)
        {
            await pending.ConfigureAwait(false);
            LogStored(context, uri, nonce, sentNonce);
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

    // A custom store could hand back anything; only a valid nonce goes into a proof.
    private static string? ValidOrNull(string? nonce) => nonce is not null && DPoPSyntax.IsNonce(nonce) ? nonce : null;

    private static void LogStored(DPoPHandlerContext context, Uri uri, string nonce, string? sentNonce)
    {
        if (!string.Equals(sentNonce, nonce, StringComparison.Ordinal))
        {
            DPoPHandlerLog.NonceStored(context.Logger, context.ClientName, new LoggedOrigin(uri));
        }
    }
}
