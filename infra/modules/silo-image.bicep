// The image the silo's container app runs now, or '' when the app does not exist yet. Provisioning again after
// `azd deploy` must keep that image: azd deploys by changing only the image of the running app, so a template that
// always set the placeholder would roll the silo back to it.
// Its own module, since the app cannot be read in the template that also writes it.
param exists bool
param name string

resource app 'Microsoft.App/containerApps@2025-07-01' existing = if (exists) {
  name: name
}

output image string = exists ? app!.properties.template.containers[0].image : ''
