// OrleansTrader on Azure Container Apps, for `azd up` (docs/deployment.md).
// One resource group holds a Log Analytics workspace, a Container Apps environment that sends its logs there, a
// container registry the silo's image is pulled from with a managed identity, a PostgreSQL Flexible Server holding the
// silo's state, and the silo itself: one container app that also serves the HTTP API.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names the resource group (rg-<name>) and seeds the resource names.')
param environmentName string

@minLength(1)
@description('Region of every resource (PostgreSQL may be put elsewhere with postgresLocation).')
param location string

@description('Region of the PostgreSQL server when it must differ from location (some regions refuse new Burstable servers); empty means location.')
param postgresLocation string = ''

@description('PostgreSQL administrator login; the silo connects with it.')
param postgresAdminLogin string = 'otadmin'

@secure()
@minLength(8)
@maxLength(128)
@description('PostgreSQL administrator password (8 to 128 characters from three of: upper case, lower case, digits, symbols).')
param postgresAdminPassword string

@secure()
@minLength(32)
@maxLength(256)
@description('The first admin API key of the gateway (Gateway__BootstrapAdminKey): 32 to 256 printable ASCII characters without spaces, chosen by the operator.')
param gatewayAdminKey string

@allowed([
  ''
  'synthetic'
  'alpaca'
  'none'
])
@description('Feed__Kind: where market data comes from. Empty: the silo\'s default, alpaca with Alpaca keys and synthetic without.')
param feedKind string = ''

@description('Feed__Symbols: the symbols the feed delivers, separated by commas (SPY,AAPL). Empty: the synthetic feed\'s own five, and none for alpaca, which the silo then refuses.')
param feedSymbols string = ''

@allowed([
  ''
  'always-open'
  'nyse'
])
@description('Calendar__Kind: the accounts\' and the paper exchange\'s trading calendar. Empty: the silo\'s default, nyse with Alpaca\'s market data and always-open otherwise.')
param calendarKind string = ''

@description('Demo__Enabled: create the demo account and its SMA-crossover strategy on the first start.')
param demoEnabled bool = true

@description('Alpaca key id. Empty (the default) leaves Alpaca out entirely: the container then gets no Alpaca__ variable.')
param alpacaKeyId string = ''

@secure()
@description('Alpaca secret key; used only with alpacaKeyId.')
param alpacaSecretKey string = ''

@description('Alpaca account id; used only with alpacaKeyId.')
param alpacaAccountId string = ''

@description('Trade on Alpaca\'s live host instead of its paper host; used only with alpacaKeyId.')
param alpacaLive bool = false

@description('Image the container app is created with before azd has built the silo. azd deploy replaces it; this one only has to pass the silo\'s probes meanwhile (see modules/silo-app.bicep).')
param siloImage string = 'traefik/whoami:v1.11.0'

@description('Whether the silo\'s container app exists already (azd sets SERVICE_SILO_RESOURCE_EXISTS before provisioning). When it does, provisioning keeps the image azd deployed instead of going back to siloImage.')
param siloExists bool = false

// The service name in azure.yaml. azd finds the container app to deploy to by this tag.
var serviceName = 'silo'
var databaseName = 'orleanstrader'
var tags = {
  'azd-env-name': environmentName
}
var token = toLower(uniqueString(subscription().id, environmentName, location))

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  params: {
    name: 'log-${token}'
    location: location
    tags: tags
  }
}

module environment 'modules/container-apps-environment.bicep' = {
  scope: rg
  params: {
    name: 'cae-${token}'
    location: location
    tags: tags
    logAnalyticsWorkspaceName: monitoring.outputs.name
  }
}

module registry 'modules/registry.bicep' = {
  scope: rg
  params: {
    name: 'cr${token}'
    identityName: 'id-${serviceName}-${token}'
    location: location
    tags: tags
  }
}

module postgres 'modules/postgres.bicep' = {
  scope: rg
  params: {
    name: 'psql-${token}'
    location: empty(postgresLocation) ? location : postgresLocation
    tags: tags
    administratorLogin: postgresAdminLogin
    administratorPassword: postgresAdminPassword
    databaseName: databaseName
  }
}

var siloAppName = 'ca-${serviceName}-${token}'

module siloImageInUse 'modules/silo-image.bicep' = {
  scope: rg
  params: {
    exists: siloExists
    name: siloAppName
  }
}

module silo 'modules/silo-app.bicep' = {
  scope: rg
  params: {
    name: siloAppName
    location: location
    tags: union(tags, { 'azd-service-name': serviceName })
    environmentId: environment.outputs.id
    identityId: registry.outputs.identityId
    registryServer: registry.outputs.loginServer
    image: empty(siloImageInUse.outputs.image) ? siloImage : siloImageInUse.outputs.image
    postgresHost: postgres.outputs.fullyQualifiedDomainName
    postgresDatabase: databaseName
    postgresUser: postgresAdminLogin
    postgresPassword: postgresAdminPassword
    gatewayAdminKey: gatewayAdminKey
    feedKind: feedKind
    feedSymbols: empty(feedSymbols) ? [] : split(feedSymbols, ',')
    calendarKind: calendarKind
    demoEnabled: demoEnabled
    alpacaKeyId: alpacaKeyId
    alpacaSecretKey: alpacaSecretKey
    alpacaAccountId: alpacaAccountId
    alpacaLive: alpacaLive
  }
}

// Read by azd: where to push the image, which app to deploy to, and what to print after `azd up`.
output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name
output AZURE_CONTAINER_APPS_ENVIRONMENT_NAME string = environment.outputs.name
output AZURE_CONTAINER_APPS_ENVIRONMENT_ID string = environment.outputs.id
output SERVICE_SILO_NAME string = silo.outputs.name
output SERVICE_SILO_URI string = silo.outputs.uri
output POSTGRES_SERVER_FQDN string = postgres.outputs.fullyQualifiedDomainName
