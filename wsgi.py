from foreningen import create_app

app = create_app()
