using Microsoft.Extensions.Options;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>The rules <see cref="DPoPOpenIdConnectOptions"/> states as attributes (ranges), checked by code the Options source generator writes.</summary>
[OptionsValidator]
internal sealed partial class DPoPOpenIdConnectOptionsAttributes : IValidateOptions<DPoPOpenIdConnectOptions>;
