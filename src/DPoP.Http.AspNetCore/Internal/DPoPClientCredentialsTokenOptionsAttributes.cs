using Microsoft.Extensions.Options;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>The rules <see cref="DPoPClientCredentialsTokenOptions"/> states as attributes, checked by code the Options source generator writes.</summary>
[OptionsValidator]
internal sealed partial class DPoPClientCredentialsTokenOptionsAttributes : IValidateOptions<DPoPClientCredentialsTokenOptions>;
